// AUTHZ_CONFIG_PATH: one YAML file or a directory of them, re-read on change (debounced). Watches the
// parent directory, so editors and atomic renames (ConfigMap-style symlink swaps) are seen.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ConfigFile } from '../core/load-policies.js';

export async function readConfigFiles(path: string): Promise<ConfigFile[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [{ file: path, text: await readFile(path, 'utf8') }];
  const names = (await readdir(path, { recursive: true })).filter((n) => /\.ya?ml$/i.test(n) && !basename(n).startsWith('.')).sort();
  return Promise.all(names.map(async (name) => ({ file: join(path, name), text: await readFile(join(path, name), 'utf8') })));
}

export interface ConfigWatcher {
  close(): void;
}

export function watchConfigPath(path: string, onChange: () => void, debounceMs = 150): ConfigWatcher {
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  let watcher: FSWatcher;
  if (isDirectorySync(path)) {
    watcher = watch(path, { recursive: true }, fire);
  } else {
    const name = basename(path);
    watcher = watch(dirname(path), (_event, changed) => {
      if (changed === null || changed === name || changed.startsWith('..')) fire();
    });
  }
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}

function isDirectorySync(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

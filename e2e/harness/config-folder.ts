// A journey's folder of YAML copied to a temp dir, with ${PLACEHOLDERS} filled in (ports and URLs known
// only at run time), so a spec can hand it to xds as GATEWAY_CONFIG_PATH and edit it live.
import { mkdtemp, readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConfigFolderHandle {
  readonly dir: string;
  read(file: string): Promise<string>;
  /** Replaces a file atomically (write + rename), the way editors and config management do. */
  write(file: string, text: string): Promise<void>;
  /** Rewrites a file through `change`; fails if the edit changed nothing (a typo in a test's search string). */
  edit(file: string, change: (text: string) => string): Promise<void>;
  remove(): Promise<void>;
}

export function fillPlaceholders(text: string, values: Record<string, string>, file = 'text'): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${file}: no value for placeholder \${${name}}`);
    return value;
  });
}

export async function copyConfigFolder(sourceDir: string, values: Record<string, string> = {}): Promise<ConfigFolderHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-e2e-config-'));
  for (const name of await readdir(sourceDir)) {
    if (!/\.ya?ml$/.test(name)) continue;
    await writeFile(join(dir, name), fillPlaceholders(await readFile(join(sourceDir, name), 'utf8'), values, name));
  }
  let edits = 0;
  const write = async (file: string, text: string): Promise<void> => {
    const staged = join(dir, `.${file}.${(edits += 1)}.tmp`);
    await writeFile(staged, text);
    await rename(staged, join(dir, file));
  };
  const read = (file: string): Promise<string> => readFile(join(dir, file), 'utf8');
  return {
    dir,
    read,
    write,
    async edit(file, change) {
      const before = await read(file);
      const after = change(before);
      if (after === before) throw new Error(`editing ${file} changed nothing`);
      await write(file, after);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

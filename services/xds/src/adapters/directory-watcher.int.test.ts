import { mkdtemp, mkdir, rm, writeFile, rename, unlink, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SourceFile } from '../core/index.js';
import { DirectoryWatcher } from './directory-watcher.js';

let dir: string;
let watcher: DirectoryWatcher | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-watch-'));
});
afterEach(async () => {
  await watcher?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts a watcher and returns a function that waits until a delivered file set satisfies `predicate`. */
async function startWatcher() {
  const deliveries: SourceFile[][] = [];
  const waiters: Array<() => void> = [];
  watcher = new DirectoryWatcher({
    dir,
    debounceMs: 20,
    onFiles: (files) => {
      deliveries.push(files);
      for (const w of waiters.splice(0)) w();
    },
  });
  await watcher.start();
  const until = async (predicate: (files: SourceFile[]) => boolean): Promise<SourceFile[]> => {
    for (;;) {
      const last = deliveries.at(-1);
      if (last && predicate(last)) return last;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching delivery; last: ${JSON.stringify(deliveries.at(-1))}`)), 5000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };
  return { deliveries, until };
}

const texts = (files: SourceFile[]) => Object.fromEntries(files.map((f) => [f.path.slice(dir.length + 1), f.text]));

describe('DirectoryWatcher', () => {
  it('delivers every YAML file under the directory at start, ignoring other files', async () => {
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'a.yaml'), 'a: 1');
    await writeFile(join(dir, 'sub', 'b.yml'), 'b: 1');
    await writeFile(join(dir, 'notes.txt'), 'x');
    const { deliveries } = await startWatcher();
    expect(texts(deliveries[0]!)).toEqual({ 'a.yaml': 'a: 1', 'sub/b.yml': 'b: 1' });
  });

  it('delivers the new content after a file changes, is added or removed', async () => {
    await writeFile(join(dir, 'a.yaml'), 'a: 1');
    const { until } = await startWatcher();
    await writeFile(join(dir, 'a.yaml'), 'a: 2');
    await until((f) => texts(f)['a.yaml'] === 'a: 2');
    await writeFile(join(dir, 'b.yaml'), 'b: 1');
    await until((f) => texts(f)['b.yaml'] === 'b: 1');
    await unlink(join(dir, 'a.yaml'));
    expect(texts(await until((f) => !('a.yaml' in texts(f))))).toEqual({ 'b.yaml': 'b: 1' });
  });

  it('sees atomic replace-by-rename, as editors and config management do it', async () => {
    await writeFile(join(dir, 'a.yaml'), 'a: 1');
    const { until } = await startWatcher();
    await writeFile(join(dir, '.a.yaml.tmp'), 'a: 3');
    await rename(join(dir, '.a.yaml.tmp'), join(dir, 'a.yaml'));
    await until((f) => texts(f)['a.yaml'] === 'a: 3');
  });

  it('ends a burst of writes with the last content', async () => {
    await writeFile(join(dir, 'a.yaml'), 'a: 0');
    const { until } = await startWatcher();
    for (let i = 1; i <= 20; i++) await writeFile(join(dir, 'a.yaml'), `a: ${i}`);
    await until((f) => texts(f)['a.yaml'] === 'a: 20');
  });

  it('follows a Kubernetes ConfigMap mount (symlinks into a hidden ..data directory swapped on update)', async () => {
    await mkdir(join(dir, '..v1'));
    await writeFile(join(dir, '..v1', 'gw.yaml'), 'v: 1');
    await symlink('..v1', join(dir, '..data'));
    await symlink(join('..data', 'gw.yaml'), join(dir, 'gw.yaml'));
    const { deliveries, until } = await startWatcher();
    expect(texts(deliveries[0]!)).toEqual({ 'gw.yaml': 'v: 1' });
    // The kubelet's update: write a new timestamped directory, then swap ..data by rename.
    await mkdir(join(dir, '..v2'));
    await writeFile(join(dir, '..v2', 'gw.yaml'), 'v: 2');
    await symlink('..v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..v1'), { recursive: true });
    expect(texts(await until((f) => texts(f)['gw.yaml'] === 'v: 2'))).toEqual({ 'gw.yaml': 'v: 2' });
  });

  it('fails to start on a missing directory', async () => {
    watcher = new DirectoryWatcher({ dir: join(dir, 'missing'), onFiles: () => undefined });
    await expect(watcher.start()).rejects.toThrow(/ENOENT/);
  });
});

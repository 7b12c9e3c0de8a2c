import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readYamlSource, YamlSourceWatcher, type YamlFile } from './yaml-source.js';
import { makeConfigMapDir, swapConfigMap } from './testing/config-map-dir.js';

let dir: string;
let watcher: YamlSourceWatcher | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gh-yaml-source-'));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Starts a watcher and returns a function that waits until the latest delivery satisfies `ok`. */
async function watchDeliveries(path: string, options: { recursive?: boolean } = {}) {
  const deliveries: YamlFile[][] = [];
  watcher = new YamlSourceWatcher(path, { ...options, debounceMs: 20, maxDelayMs: 200, onFiles: (files) => void deliveries.push(files) });
  await watcher.start();
  const latest = () => deliveries[deliveries.length - 1] ?? [];
  const until = async (ok: (files: YamlFile[]) => boolean, what: string): Promise<YamlFile[]> => {
    const deadline = Date.now() + 5000;
    while (!ok(latest())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last delivery: ${JSON.stringify(latest())}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return latest();
  };
  return { deliveries, latest, until };
}

const textOf = (files: YamlFile[], name: string) => files.find((f) => f.path.endsWith(`/${name}`))?.text;

describe('readYamlSource', () => {
  it('reads a ConfigMap-style mount once per file, skipping ..data and ..<timestamp>', async () => {
    await makeConfigMapDir(dir, { 'policy.yaml': 'a: 1\n', 'limits.yml': 'b: 2\n' });
    const files = await readYamlSource(dir);
    expect(files.map((f) => f.path)).toEqual([join(dir, 'limits.yml'), join(dir, 'policy.yaml')]);
    expect(files.map((f) => f.text)).toEqual(['b: 2\n', 'a: 1\n']);
  });

  it('descends into visible subdirectories only when recursive, and never into hidden ones', async () => {
    await mkdir(join(dir, 'team-a'));
    await mkdir(join(dir, '.git'));
    await writeFile(join(dir, 'top.yaml'), 'x: 1\n');
    await writeFile(join(dir, 'team-a', 'nested.yaml'), 'y: 1\n');
    await writeFile(join(dir, '.git', 'hidden.yaml'), 'z: 1\n');
    await writeFile(join(dir, 'notes.txt'), 'not yaml');
    expect((await readYamlSource(dir)).map((f) => f.path)).toEqual([join(dir, 'team-a', 'nested.yaml'), join(dir, 'top.yaml')]);
    expect((await readYamlSource(dir, { recursive: false })).map((f) => f.path)).toEqual([join(dir, 'top.yaml')]);
  });

  it('follows symlinked files and directories, skips dangling links and survives a symlink loop', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'gh-yaml-elsewhere-'));
    try {
      await writeFile(join(elsewhere, 'shared.yaml'), 's: 1\n');
      await symlink(elsewhere, join(dir, 'linked'));
      await symlink(join(dir, 'missing.yaml'), join(dir, 'dangling.yaml'));
      await symlink(dir, join(dir, 'loop'));
      expect((await readYamlSource(dir)).map((f) => f.path)).toEqual([join(dir, 'linked', 'shared.yaml')]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('reads a single file, and rejects a path that does not exist', async () => {
    await writeFile(join(dir, 'one.yaml'), 'a: 1\n');
    expect(await readYamlSource(join(dir, 'one.yaml'))).toEqual([{ path: join(dir, 'one.yaml'), text: 'a: 1\n' }]);
    await expect(readYamlSource(join(dir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('YamlSourceWatcher', () => {
  it('follows a file replaced by rename ten times in a row', async () => {
    await writeFile(join(dir, 'gw.yaml'), 'v: 0\n');
    const { until } = await watchDeliveries(dir);
    for (let i = 1; i <= 10; i++) {
      await writeFile(join(dir, '.gw.yaml.tmp'), `v: ${i}\n`);
      await rename(join(dir, '.gw.yaml.tmp'), join(dir, 'gw.yaml'));
      await until((files) => textOf(files, 'gw.yaml') === `v: ${i}\n`, `rename #${i}`);
    }
  });

  it('follows in-place writes, a delete and a re-create', async () => {
    await writeFile(join(dir, 'gw.yaml'), 'v: 0\n');
    const { until } = await watchDeliveries(dir);
    await writeFile(join(dir, 'gw.yaml'), 'v: 1\n');
    await until((files) => textOf(files, 'gw.yaml') === 'v: 1\n', 'in-place write');
    await unlink(join(dir, 'gw.yaml'));
    await until((files) => textOf(files, 'gw.yaml') === undefined, 'delete');
    await writeFile(join(dir, 'gw.yaml'), 'v: 2\n');
    await until((files) => textOf(files, 'gw.yaml') === 'v: 2\n', 're-create');
  });

  it('sees files in a subdirectory created after it started', async () => {
    const { until } = await watchDeliveries(dir);
    await mkdir(join(dir, 'later'));
    await writeFile(join(dir, 'later', 'new.yaml'), 'n: 1\n');
    await until((files) => textOf(files, 'new.yaml') === 'n: 1\n', 'new subdirectory file');
    await writeFile(join(dir, 'later', 'new.yaml'), 'n: 2\n');
    await until((files) => textOf(files, 'new.yaml') === 'n: 2\n', 'edit in the new subdirectory');
  });

  it('follows atomic ..data swaps of a ConfigMap mount, each file delivered once', async () => {
    await makeConfigMapDir(dir, { 'policy.yaml': 'v: 0\n' });
    const { until } = await watchDeliveries(dir);
    for (let i = 1; i <= 3; i++) {
      await swapConfigMap(dir, { 'policy.yaml': `v: ${i}\n` });
      const files = await until((f) => textOf(f, 'policy.yaml') === `v: ${i}\n`, `swap #${i}`);
      expect(files).toHaveLength(1);
    }
  });

  it('watches a single file through its directory: renames over it and ConfigMap swaps are seen, siblings ignored', async () => {
    await makeConfigMapDir(dir, { 'policy.yaml': 'v: 0\n', 'other.yaml': 'o: 0\n' });
    const { until, deliveries } = await watchDeliveries(join(dir, 'policy.yaml'));
    await swapConfigMap(dir, { 'policy.yaml': 'v: 1\n', 'other.yaml': 'o: 0\n' });
    const files = await until((f) => f[0]?.text === 'v: 1\n', 'swap');
    expect(files).toEqual([{ path: join(dir, 'policy.yaml'), text: 'v: 1\n' }]);
    const count = deliveries.length;
    await writeFile(join(dir, 'unrelated.yaml'), 'u: 1\n');
    await watcher!.rescan();
    expect(deliveries).toHaveLength(count); // nothing about policy.yaml changed
  });

  it('delivers nothing when a re-scan finds the same texts, and reports a vanished root without losing the last delivery', async () => {
    await writeFile(join(dir, 'a.yaml'), 'a: 1\n');
    const errors: unknown[] = [];
    const deliveries: YamlFile[][] = [];
    watcher = new YamlSourceWatcher(dir, { debounceMs: 10, onFiles: (f) => void deliveries.push(f), onError: (e) => errors.push(e) });
    await watcher.start();
    await watcher.rescan();
    expect(deliveries).toHaveLength(1);
    await rm(dir, { recursive: true });
    await watcher.rescan();
    expect(deliveries).toHaveLength(1);
    expect(errors.some((e) => (e as NodeJS.ErrnoException).code === 'ENOENT')).toBe(true);
  });
});

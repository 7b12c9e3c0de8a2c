// Builds a directory laid out the way the kubelet mounts a ConfigMap, and updates it the way the
// kubelet does: files are symlinks into `..data`, itself a symlink to a `..<timestamp>` directory that
// is replaced by an atomic rename. Every service's "ConfigMap mount" test uses these.
import { mkdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

let generation = 0;

async function writeGeneration(dir: string, files: Record<string, string>): Promise<string> {
  const name = `..2026_01_01_00_00_00.${process.pid}_${++generation}`;
  await mkdir(join(dir, name));
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, name, file), text);
  return name;
}

/** Creates `<file> -> ..data/<file>` and `..data -> ..<timestamp>/` in `dir` (which must exist). */
export async function makeConfigMapDir(dir: string, files: Record<string, string>): Promise<void> {
  const target = await writeGeneration(dir, files);
  await symlink(target, join(dir, '..data'));
  for (const file of Object.keys(files)) await symlink(join('..data', file), join(dir, file));
}

/** Replaces the mounted files in one atomic step (new generation, `..data_tmp` renamed over `..data`). */
export async function swapConfigMap(dir: string, files: Record<string, string>): Promise<void> {
  const previous = await readlink(join(dir, '..data'));
  const target = await writeGeneration(dir, files);
  await symlink(target, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const file of Object.keys(files)) await symlink(join('..data', file), join(dir, file)).catch(() => undefined);
  await rm(join(dir, previous), { recursive: true, force: true });
}

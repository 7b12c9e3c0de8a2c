// The YAML files a -f argument names: one file, or every *.yaml/*.yml under a directory.
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { SourceFile } from '@gatehouse/xds/core';

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

/** Paths in the result are relative to the working directory, as users typed them. */
export async function readYamlFiles(target: string): Promise<SourceFile[]> {
  const info = await stat(target);
  if (info.isFile()) return [{ path: target, text: await readFile(target, 'utf8') }];
  // Same selection as the xds service's watcher: hidden entries skipped, symlinks followed.
  const entries = await readdir(target, { recursive: true, withFileTypes: true });
  const paths: string[] = [];
  for (const e of entries) {
    const path = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (!YAML_EXTENSIONS.has(extname(e.name)) || relative(target, path).split(sep).some((part) => part.startsWith('.'))) continue;
    if (e.isFile() || (e.isSymbolicLink() && (await stat(path).then((s) => s.isFile(), () => false)))) paths.push(path);
  }
  paths.sort();
  return Promise.all(paths.map(async (path) => ({ path: displayPath(path), text: await readFile(path, 'utf8') })));
}

/** Relative to the working directory when inside it, else as given. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

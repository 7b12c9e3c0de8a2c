// The YAML files a -f argument names, read through the kit's intake (the same selection every service
// makes: hidden entries skipped, symlinks followed), with paths shown as the user typed them.
import { relative } from 'node:path';
import { readYamlSource } from '@gatehouse/kit';
import type { SourceFile } from '@gatehouse/xds/core';

/** Paths in the result are relative to the working directory when inside it. */
export async function readYamlFiles(target: string): Promise<SourceFile[]> {
  return (await readYamlSource(target)).map((file) => ({ path: displayPath(file.path), text: file.text }));
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

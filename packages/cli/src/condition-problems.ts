// A failed condition as validate lines "file:line: Kind ns/name: /path: Type=Status (Reason): message",
// one per problem a condition's message lists ("spec.rules[1]: ...; spec.rules[3]: ..."), each on the
// line of the field it names when that field is in the file.
import { parseYamlFile } from '@gatehouse/schemas';
import { NEGATIVE_POLARITY } from './failed-conditions.js';

/** Per "<Kind>/<ns>/<name>": the file and a line finder for JSON pointers inside its document. */
export type DocumentLocator = Map<string, { file: string; lineOf: (pointer: string) => number }>;

export function locateDocuments(files: ReadonlyArray<{ path: string; text: string }>): DocumentLocator {
  const locator: DocumentLocator = new Map();
  for (const file of files) {
    for (const doc of parseYamlFile(file.text, file.path).documents) {
      const value = doc.value as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
      if (typeof value?.kind !== 'string' || typeof value.metadata?.name !== 'string') continue;
      const namespace = typeof value.metadata.namespace === 'string' ? value.metadata.namespace : 'default';
      const key = `${value.kind}/${namespace}/${value.metadata.name}`;
      if (!locator.has(key)) locator.set(key, { file: file.path, lineOf: doc.lineOf });
    }
  }
  return locator;
}

/** "spec.rules[1].filters[0]" or "spec.cors.maxAge" -> "/spec/rules/1/filters/0", "/spec/cors/maxAge". */
export function pointerOf(dotted: string): string {
  return `/${dotted.replace(/\[(\d+)\]/g, '.$1').split('.').join('/')}`;
}

const PART = /^(spec(?:\.[A-Za-z0-9_]+|\[\d+\])*)(?::| is not supported)/;

export function conditionProblems(
  key: string,
  condition: { type: string; reason: string; message: string },
  locator: DocumentLocator,
  fallback: string,
): string[] {
  const where = locator.get(key);
  const subject = key.replace(/\/([^/]+)\/([^/]+)$/, ' $1/$2');
  const verdict = `${condition.type}=${NEGATIVE_POLARITY.has(condition.type) ? 'True' : 'False'} (${condition.reason})`;
  return condition.message.split(/; (?=spec[.[])/).map((part) => {
    const path = PART.exec(part)?.[1];
    if (!path) return `${fallback}: ${subject}: ${verdict}: ${part}`;
    const pointer = pointerOf(path);
    const at = where ? `${where.file}:${where.lineOf(pointer)}` : fallback;
    return `${at}: ${subject}: ${pointer}: ${verdict}: ${part}`;
  });
}

// What the three golden sets share: YAML written the same way every time (keys sorted, lists in
// their own order, no line folding), one switch to rewrite outputs (UPDATE_GOLDEN=1, set by
// `pnpm -F @gatehouse/xds golden:update`), and the outputs no input asks for any more, which an
// update deletes and a plain run reports. Test-only; not exported from the ./testing entry point.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export const UPDATE_HINT = 'run `pnpm -F @gatehouse/xds golden:update` and review the diff';

/** Plain data as golden YAML: mapping keys sorted (their order means nothing), lists kept in order. */
export function toGoldenYaml(value: unknown): string {
  return stringify(value, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/** Map entries as an object sorted by key, for statuses and per-Gateway outputs. */
export function sortedObject<V, R = V>(map: ReadonlyMap<string, V>, convert: (value: V) => R = (v) => v as unknown as R): Record<string, R> {
  return Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, convert(v)]));
}

/**
 * The expected text of one output. In update mode the actual text is written (only when it changed)
 * and returned; otherwise the file's text, or undefined when it does not exist yet.
 */
export function expectedGolden(path: string, actual: string): string | undefined {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (!UPDATE_GOLDEN) return existing;
  if (existing !== actual) writeFileSync(path, actual);
  return actual;
}

/**
 * Files in `dir` (ending in `suffix`) that `wanted` does not claim: outputs whose input is gone, or
 * outputs of a type a case no longer produces. In update mode they are deleted and none is returned.
 */
export function outdatedOutputs(dir: string, suffix: string, wanted: (file: string) => boolean): string[] {
  const outdated = existsSync(dir) ? readdirSync(dir).filter((file) => file.endsWith(suffix) && !wanted(file)) : [];
  if (!UPDATE_GOLDEN) return outdated.map((file) => basename(file));
  for (const file of outdated) rmSync(join(dir, file));
  return [];
}

/** The case names in `dir`: files ending in `suffix`, without it, sorted. */
export function caseNames(dir: string, suffix: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(suffix))
    .map((file) => file.slice(0, -suffix.length))
    .sort();
}

// Deterministic structural and textual mutations of YAML configs, for loader fuzzing. A seeded PRNG makes
// every failing case reproducible from its seed and index.
import { parseAllDocuments, stringify } from 'yaml';

export type Random = () => number;

/** mulberry32: small, fast, good enough to pick mutations. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Values that break assumptions: wrong types, edge numbers, hostile strings. */
const ODD_VALUES: readonly unknown[] = [
  null, '', ' ', 0, -1, 1.5, 2 ** 53 + 1, -(2 ** 31), 'NaN', true, false, [], {}, [null], { '': '' },
  '*', '**', '.*', '\u0000', '\u202e', '../../etc/passwd', 'a'.repeat(10_000), '${jndi:ldap://x}', '<script>',
  '1s', '-5m', '99999999999999999999', 'unit', 'second', 'SECOND', 'http://[::1', '@', '%', '\\',
];

type Container = Record<string, unknown> | unknown[];

function containers(value: unknown, out: Container[] = []): Container[] {
  if (Array.isArray(value)) {
    out.push(value);
    value.forEach((v) => containers(v, out));
  } else if (value !== null && typeof value === 'object') {
    out.push(value as Record<string, unknown>);
    Object.values(value).forEach((v) => containers(v, out));
  }
  return out;
}

function mutateStructure(value: unknown, random: Random, keysSeen: readonly string[]): unknown {
  const root = structuredClone(value);
  const all = containers(root);
  if (all.length === 0) return pick(random, ODD_VALUES);
  const target = pick(random, all);
  const keys: Array<string | number> = Array.isArray(target) ? target.map((_, i) => i) : Object.keys(target);
  const key = keys.length ? pick(random, keys) : undefined;
  const set = (k: string | number, v: unknown): void => {
    (target as Record<string | number, unknown>)[k] = v;
  };
  switch (Math.floor(random() * 8)) {
    case 0: // delete a field or item
      if (key === undefined) break;
      if (Array.isArray(target)) target.splice(key as number, 1);
      else delete target[key as string];
      break;
    case 1: // replace with an odd value
      if (key !== undefined) set(key, pick(random, ODD_VALUES));
      break;
    case 2: // add an unknown or misplaced field
      if (!Array.isArray(target)) target[random() < 0.5 ? `unknownField${Math.floor(random() * 9)}` : pick(random, keysSeen)] = pick(random, ODD_VALUES);
      break;
    case 3: // duplicate an item (duplicate descriptors, providers, listeners...)
      if (Array.isArray(target) && target.length) target.push(structuredClone(pick(random, target)));
      break;
    case 4: // wrap a value in a list, or unwrap a list
      if (key !== undefined) {
        const current = (target as Record<string | number, unknown>)[key];
        set(key, Array.isArray(current) ? current[0] : [current]);
      }
      break;
    case 5: // stringify a number or numberify a string
      if (key !== undefined) {
        const current = (target as Record<string | number, unknown>)[key];
        set(key, typeof current === 'number' ? String(current) : typeof current === 'string' ? current.length : current);
      }
      break;
    case 6: // deep nesting
      if (key !== undefined) {
        let nested: unknown = (target as Record<string | number, unknown>)[key];
        for (let i = 0; i < 50; i++) nested = { nested };
        set(key, nested);
      }
      break;
    default: // move a subtree somewhere else
      if (key !== undefined) {
        const other = pick(random, all);
        if (!Array.isArray(other)) other[String(key)] = structuredClone((target as Record<string | number, unknown>)[key]);
      }
  }
  return root;
}

function mutateText(text: string, random: Random): string {
  if (text.length === 0) return '\u0000';
  const at = Math.floor(random() * text.length);
  switch (Math.floor(random() * 5)) {
    case 0:
      return text.slice(0, at); // truncated file
    case 1:
      return text.slice(0, at) + pick(random, [':', '-', '[', '{', '&a', '*a', '!!binary', '\t', '"', "'", '\n  - ', '---\n']) + text.slice(at);
    case 2:
      return text.slice(0, at) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(at + 1);
    case 3:
      return text + '\n' + text; // duplicate keys
    default:
      return text.replace(/\n/g, random() < 0.5 ? '\r\n' : '\n\n');
  }
}

function allKeys(value: unknown, out = new Set<string>()): Set<string> {
  for (const container of containers(value)) if (!Array.isArray(container)) Object.keys(container).forEach((k) => out.add(k));
  return out;
}

/** `count` mutants of a (multi-document) YAML seed: mostly structural, some textual. */
export function* mutants(seedText: string, seed: number, count: number): Generator<string> {
  const random = seededRandom(seed);
  const documents = parseAllDocuments(seedText).map((d) => d.toJS() as unknown);
  const keys = [...allKeys(documents)];
  for (let i = 0; i < count; i++) {
    if (random() < 0.2) {
      yield mutateText(seedText, random);
      continue;
    }
    let docs = documents;
    const rounds = 1 + Math.floor(random() * 3);
    for (let r = 0; r < rounds; r++) {
      const index = Math.floor(random() * docs.length);
      docs = docs.map((d, j) => (j === index ? mutateStructure(d, random, keys) : d));
    }
    yield docs.map((d) => stringify(d, { aliasDuplicateObjects: false })).join('---\n');
  }
}

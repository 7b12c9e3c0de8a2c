// Indexes the vendored CustomResourceDefinitions by apiVersion and kind, so any YAML document can be
// checked against the exact schema Kubernetes would use for it. Reads the catalog the build precomputed
// (dist/crd-catalog.json, next to this module) when it matches the CRDs on disk, else parses the YAML itself.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFromYaml, hashTexts, keyOf, readCrdTexts, type CrdVersionSchema } from './crd-sources.js';

export type { CrdVersionSchema } from './crd-sources.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const crdsDir = join(packageDir, 'crds');
const PRECOMPUTED = join(dirname(fileURLToPath(import.meta.url)), 'crd-catalog.json');

let catalog: Map<string, CrdVersionSchema> | undefined;
/** The hash of the build's catalog when it is the one in use (the CRDs on disk are the ones it was built from). */
let builtHash: string | undefined;

function loadCatalog(): Map<string, CrdVersionSchema> {
  const texts = readCrdTexts(crdsDir);
  try {
    const precomputed = JSON.parse(readFileSync(PRECOMPUTED, 'utf8')) as { hash: string; schemas: CrdVersionSchema[] };
    // A CRD edited after the build must not be validated against the old schema.
    if (precomputed.hash === hashTexts(texts)) {
      builtHash = precomputed.hash;
      return new Map(precomputed.schemas.map((s) => [keyOf(s.apiVersion, s.kind), s]));
    }
  } catch {
    // Not built yet (or unreadable): parse the YAML.
  }
  return catalogFromYaml(texts);
}

export function findCrdSchema(apiVersion: string, kind: string): CrdVersionSchema | undefined {
  catalog ??= loadCatalog();
  return catalog.get(keyOf(apiVersion, kind));
}

/** The catalog's hash when it came from the build (so build outputs derived from it match), else undefined. */
export function builtCatalogHash(): string | undefined {
  catalog ??= loadCatalog();
  return builtHash;
}

/** Every apiVersion/kind pair the catalog knows, for error messages. */
export function knownKinds(): string[] {
  catalog ??= loadCatalog();
  return [...catalog.keys()].sort();
}

/** Every served version of a kind in an API group (e.g. "gateway.networking.k8s.io", "Gateway"), storage version first. */
export function servedVersions(group: string, kind: string): CrdVersionSchema[] {
  catalog ??= loadCatalog();
  return [...catalog.values()]
    .filter((s) => s.kind === kind && s.apiVersion.startsWith(`${group}/`))
    .sort((a, b) => Number(b.storage) - Number(a.storage) || (a.apiVersion < b.apiVersion ? -1 : 1));
}

// Indexes the vendored CustomResourceDefinitions by apiVersion and kind, so any YAML document can be
// checked against the exact schema Kubernetes would use for it.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const crdsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'crds');
const CRD_FOLDERS = ['gateway-api', 'envoy-gateway', 'cert-manager'] as const;

export interface CrdVersionSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly openAPIV3Schema: Record<string, unknown>;
}

interface CrdDocument {
  kind?: string;
  spec?: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string };
    versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }>;
  };
}

let catalog: Map<string, CrdVersionSchema> | undefined;

const keyOf = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

function loadCatalog(): Map<string, CrdVersionSchema> {
  const found = new Map<string, CrdVersionSchema>();
  for (const folder of CRD_FOLDERS) {
    const dir = join(crdsDir, folder);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
        const crd = doc.toJS() as CrdDocument | null;
        if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
        const { group, scope, names } = crd.spec;
        for (const version of crd.spec.versions) {
          const schema = version.schema?.openAPIV3Schema;
          if (version.served === false || !schema) continue;
          const apiVersion = `${group}/${version.name}`;
          found.set(keyOf(apiVersion, names.kind), { apiVersion, kind: names.kind, scope, openAPIV3Schema: schema });
        }
      }
    }
  }
  return found;
}

export function findCrdSchema(apiVersion: string, kind: string): CrdVersionSchema | undefined {
  catalog ??= loadCatalog();
  return catalog.get(keyOf(apiVersion, kind));
}

/** Every apiVersion/kind pair the catalog knows, for error messages. */
export function knownKinds(): string[] {
  catalog ??= loadCatalog();
  return [...catalog.keys()].sort();
}

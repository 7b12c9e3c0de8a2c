// Reading the vendored CustomResourceDefinitions: their texts, a hash of them, and the served schema of
// every version. Shared by the catalog at run time and the build step that precomputes it.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const CRD_FOLDERS = ['gateway-api', 'envoy-gateway', 'cert-manager', 'authored'] as const;

export interface CrdVersionSchema {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly openAPIV3Schema: Record<string, unknown>;
  /** The version Kubernetes stores: every served version converts to it. */
  readonly storage: boolean;
  /** The CRD marks this served version deprecated; `deprecationWarning` is what kubectl would print. */
  readonly deprecated?: true;
  readonly deprecationWarning?: string;
}

interface CrdDocument {
  kind?: string;
  spec?: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string };
    versions: Array<{ name: string; served?: boolean; storage?: boolean; deprecated?: boolean; deprecationWarning?: string; schema?: { openAPIV3Schema?: Record<string, unknown> } }>;
  };
}

export const keyOf = (apiVersion: string, kind: string): string => `${apiVersion}/${kind}`;

/** Every CRD file's text, in a fixed order (folder, then file name). */
export function readCrdTexts(crdsDir: string): string[] {
  return CRD_FOLDERS.flatMap((folder) => {
    const dir = join(crdsDir, folder);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => readFileSync(join(dir, f), 'utf8'));
  });
}

export function hashTexts(texts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const text of texts) hash.update(text).update('\0');
  return hash.digest('hex');
}

export function catalogFromYaml(texts: readonly string[]): Map<string, CrdVersionSchema> {
  const found = new Map<string, CrdVersionSchema>();
  for (const text of texts) {
    for (const doc of parseAllDocuments(text)) {
      const crd = doc.toJS() as CrdDocument | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      const { group, scope, names } = crd.spec;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (version.served === false || !schema) continue;
        const apiVersion = `${group}/${version.name}`;
        const deprecation = version.deprecated
          ? { deprecated: true as const, deprecationWarning: version.deprecationWarning ?? `${apiVersion} ${names.kind} is deprecated` }
          : {};
        found.set(keyOf(apiVersion, names.kind), { apiVersion, kind: names.kind, scope, openAPIV3Schema: schema, storage: version.storage === true, ...deprecation });
      }
    }
  }
  return found;
}

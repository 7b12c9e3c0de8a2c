import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crdsDir, findCrdSchema, servedVersions } from './crd-catalog.js';
import { catalogFromYaml, hashTexts, readCrdTexts } from './crd-sources.js';

describe('the CRD catalog', () => {
  it('precomputed at build time, it holds exactly what parsing the vendored YAML gives, under the YAML hash', () => {
    const texts = readCrdTexts(crdsDir);
    const built = JSON.parse(readFileSync(join(crdsDir, '..', 'dist', 'crd-catalog.json'), 'utf8')) as { hash: string; schemas: unknown[] };
    expect(built.hash).toBe(hashTexts(texts));
    expect(built.schemas).toEqual([...catalogFromYaml(texts).values()]);
  }, 30_000);

  it('a changed CRD text changes the hash, so a stale precomputed catalog is not used', () => {
    const texts = readCrdTexts(crdsDir);
    expect(hashTexts([...texts.slice(0, -1), `${texts.at(-1)}\n# edited`])).not.toBe(hashTexts(texts));
  });

  it('finds served versions by apiVersion and kind', () => {
    expect(findCrdSchema('gateway.networking.k8s.io/v1', 'HTTPRoute')?.scope).toBe('Namespaced');
    expect(findCrdSchema('cert-manager.io/v1', 'ClusterIssuer')?.scope).toBe('Cluster');
    expect(findCrdSchema('gateway.networking.k8s.io/v1', 'NoSuchKind')).toBeUndefined();
  });

  it('lists every served version of a kind, storage version first, and leaves out versions no longer served', () => {
    expect(servedVersions('gateway.networking.k8s.io', 'Gateway').map((s) => [s.apiVersion, s.storage])).toEqual([
      ['gateway.networking.k8s.io/v1', true],
      ['gateway.networking.k8s.io/v1beta1', false],
    ]);
    expect(servedVersions('gateway.networking.k8s.io', 'ReferenceGrant')[0]?.apiVersion).toBe('gateway.networking.k8s.io/v1beta1');
    // v1alpha2 is still in the CRD but not served (and deprecated): Kubernetes would refuse it.
    expect(servedVersions('gateway.networking.k8s.io', 'TCPRoute').map((s) => s.apiVersion)).toEqual(['gateway.networking.k8s.io/v1']);
    // UDPRoute's CRD is authored (crds/authored): the same rule.
    expect(servedVersions('gateway.networking.k8s.io', 'UDPRoute').map((s) => s.apiVersion)).toEqual(['gateway.networking.k8s.io/v1']);
  });
});

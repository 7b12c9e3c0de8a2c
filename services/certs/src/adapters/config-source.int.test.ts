// The config source against real files: the vendored CRD schemas, the kit's watcher (renames,
// ConfigMap mounts), and the last good version of each resource.
import { mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeConfigMapDir, swapConfigMap } from '@gatehouse/kit/testing';
import { validateResource } from '@gatehouse/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceSet } from '../core/resource-model.js';
import { eventually } from '../testing/certs-fixture.js';
import { ConfigSource } from './config-source.js';

const issuer = `apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: letsencrypt-staging
spec:
  acme:
    server: https://acme-staging-v02.api.letsencrypt.org/directory
    email: ops@example.com
    privateKeySecretRef:
      name: letsencrypt-staging-account
    solvers:
      - http01:
          gatewayHTTPRoute:
            parentRefs:
              - name: web
`;

const certificate = (extra = '') => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
  namespace: shop
spec:
  secretName: web-tls
  dnsNames: [shop.example.com]
  issuerRef:
    name: letsencrypt-staging
    kind: ClusterIssuer
${extra}`;

const otherCertificate = (names: string) => `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: { name: api, namespace: shop }
spec:
  secretName: api-tls
  dnsNames: [${names}]
  issuerRef: { name: letsencrypt-staging, kind: ClusterIssuer }
`;

describe('ConfigSource with the vendored cert-manager CRD schemas', () => {
  let dir: string;
  let source: ConfigSource | undefined;
  afterEach(async () => {
    await source?.close();
    source = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async (path: string, debounceMs?: number) => {
    const issues: string[] = [];
    const sets: ResourceSet[] = [];
    source = new ConfigSource({ path, validateSchema: validateResource, onIssue: (m) => issues.push(m), onChange: (s) => void sets.push(s), ...(debounceMs ? { debounceMs } : {}) });
    await source.start();
    return { issues, sets };
  };

  it('loads cert-manager YAML unchanged, and an invalid edit keeps that resource\'s last good version (file, line, path reported)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    writeFileSync(join(dir, 'issuer.yaml'), issuer);
    writeFileSync(join(dir, 'cert.yaml'), certificate());
    const { issues, sets } = await open(dir);
    expect(issues).toEqual([]);
    expect(sets[0]?.certificates.get('shop/web')?.dnsNames).toEqual(['shop.example.com']);
    expect(sets[0]?.issuers.has('ClusterIssuer/letsencrypt-staging')).toBe(true);

    writeFileSync(join(dir, 'cert.yaml'), certificate('  renewBeforePercentage: "often"\n  notAField: 1\n'));
    await source!.rescan();
    const file = join(dir, 'cert.yaml');
    expect(issues.some((m) => m.startsWith(`${file}:12: Certificate shop/web: /spec/renewBeforePercentage: GH_CERTS_CONFIG_INVALID: `))).toBe(true);
    expect(issues).toContain(`${file}: Certificate shop/web: GH_CERTS_CONFIG_INVALID: generation 2 is refused; generation 1 keeps serving`);
    expect(sets.at(-1)?.certificates.get('shop/web')?.secretName).toBe('web-tls');
  });

  it('follows a single config file that is replaced by a rename (as editors and config management do)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    const file = join(dir, 'certs.yaml');
    writeFileSync(file, `${issuer}---\n${certificate()}`);
    const { sets } = await open(file, 50);
    writeFileSync(join(dir, '.certs.yaml.tmp'), `${issuer}---\n${certificate().replace('[shop.example.com]', '[shop.example.com, www.shop.example.com]')}`);
    renameSync(join(dir, '.certs.yaml.tmp'), file);
    await eventually('the replaced file to apply', async () => (sets.at(-1)?.certificates.get('shop/web')?.dnsNames.length === 2 ? true : undefined));
  });

  it('picks up a file replaced by rename ten times in a row, an in-place write, a delete and a re-create', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    const file = join(dir, 'certs.yaml');
    writeFileSync(file, `${issuer}---\n${otherCertificate('v0.example.com')}`);
    const { sets } = await open(dir, 50);
    for (let i = 1; i <= 10; i++) {
      writeFileSync(join(dir, '.certs.yaml.tmp'), `${issuer}---\n${otherCertificate(`v${i}.example.com`)}`);
      renameSync(join(dir, '.certs.yaml.tmp'), file);
      await eventually(`rename ${i} to apply`, async () => (sets.at(-1)?.certificates.get('shop/api')?.dnsNames[0] === `v${i}.example.com` ? true : undefined), 5000);
    }
    const namesOf = () => sets.at(-1)?.certificates.get('shop/api')?.dnsNames[0];
    writeFileSync(file, `${issuer}---\n${otherCertificate('in-place.example.com')}`);
    await eventually('the in-place write to apply', async () => (namesOf() === 'in-place.example.com' ? true : undefined), 5000);
    unlinkSync(file);
    await eventually('the delete to apply', async () => (sets.at(-1)?.certificates.has('shop/api') === false ? true : undefined), 5000);
    writeFileSync(file, `${issuer}---\n${otherCertificate('re-created.example.com')}`);
    await eventually('the re-create to apply', async () => (namesOf() === 're-created.example.com' ? true : undefined), 5000);
  });

  it('reads a ConfigMap-style mount once per file and follows an atomic ..data swap', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-cm-'));
    await makeConfigMapDir(dir, { 'certs.yaml': `${issuer}---\n${certificate()}`, 'api.yaml': otherCertificate('api.example.com') });
    const { issues, sets } = await open(dir, 50);
    // certs.yaml, ..data/certs.yaml and ..<timestamp>/certs.yaml hold the same documents: read once.
    expect(issues).toEqual([]);
    expect([...(sets[0]?.certificates.keys() ?? [])].sort()).toEqual(['shop/api', 'shop/web']);
    expect(sets[0]?.issuers.size).toBe(1);

    await swapConfigMap(dir, { 'certs.yaml': `${issuer}---\n${certificate().replace('[shop.example.com]', '[shop.example.com, m.shop.example.com]')}`, 'api.yaml': otherCertificate('api2.example.com') });
    const swapped = await eventually('the swap to apply', async () => {
      const set = sets.at(-1);
      return set?.certificates.get('shop/web')?.dnsNames.length === 2 && set.certificates.get('shop/api')?.dnsNames[0] === 'api2.example.com' ? set : undefined;
    }, 5000);
    expect(swapped.certificates.size).toBe(2);
    expect(issues).toEqual([]);
  });

  it('keeps every resource of a file that no longer parses, and reports the syntax error with its line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    writeFileSync(join(dir, 'certs.yaml'), `${issuer}---\n${certificate()}`);
    const { issues, sets } = await open(dir);
    writeFileSync(join(dir, 'certs.yaml'), `${issuer}---\n${certificate()}\n  dnsNames: [unclosed\n`);
    await source!.rescan();
    expect(issues[0]).toMatch(/certs\.yaml:\d+: GH_CONFIG_YAML_SYNTAX: /);
    expect(sets.at(-1)?.certificates.has('shop/web')).toBe(true);
    expect(sets.at(-1)?.issuers.has('ClusterIssuer/letsencrypt-staging')).toBe(true);
  });
});

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('ConfigSource with the vendored cert-manager CRD schemas', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads cert-manager YAML unchanged and reports schema errors with file and path, keeping the last good file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    writeFileSync(join(dir, 'issuer.yaml'), issuer);
    writeFileSync(join(dir, 'cert.yaml'), certificate());
    const issues: string[] = [];
    const sets: ResourceSet[] = [];
    const source = new ConfigSource({ path: dir, validateSchema: validateResource, onIssue: (m) => issues.push(m), onChange: (s) => void sets.push(s) });
    await source.load();
    expect(issues).toEqual([]);
    expect(sets[0]?.certificates.get('shop/web')?.dnsNames).toEqual(['shop.example.com']);
    expect(sets[0]?.issuers.has('ClusterIssuer/letsencrypt-staging')).toBe(true);

    writeFileSync(join(dir, 'cert.yaml'), certificate('  renewBeforePercentage: "often"\n  notAField: 1\n'));
    await source.load();
    expect(issues.some((m) => m.startsWith(`${join(dir, 'cert.yaml')}: Certificate shop/web: /spec`))).toBe(true);
    expect(issues.at(-1)).toBe(`${join(dir, 'cert.yaml')}: keeping its last good version`);
    expect(sets[1]?.certificates.get('shop/web')?.secretName).toBe('web-tls');
  });

  it('follows a single config file that is replaced by a rename (as editors and config management do)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    const file = join(dir, 'certs.yaml');
    writeFileSync(file, `${issuer}---\n${certificate()}`);
    const sets: ResourceSet[] = [];
    const source = new ConfigSource({ path: file, validateSchema: validateResource, onIssue: () => undefined, onChange: (s) => void sets.push(s), debounceMs: 50 });
    await source.load();
    source.watch();
    writeFileSync(join(dir, '.certs.yaml.tmp'), `${issuer}---\n${certificate().replace('[shop.example.com]', '[shop.example.com, www.shop.example.com]')}`);
    renameSync(join(dir, '.certs.yaml.tmp'), file);
    await eventually('the replaced file to apply', async () => (sets.at(-1)?.certificates.get('shop/web')?.dnsNames.length === 2 ? true : undefined));
    source.close();
  });

  it('reports a YAML syntax error with its line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-certs-src-'));
    writeFileSync(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: [unclosed\n');
    const issues: string[] = [];
    await new ConfigSource({ path: dir, onIssue: (m) => issues.push(m), onChange: () => undefined }).load();
    expect(issues[0]).toMatch(/bad\.yaml:\d+: GH_CERTS_CONFIG_YAML: /);
  });
});

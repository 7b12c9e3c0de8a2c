// The CA and leaf certificates, checked with Node's own X509Certificate (OpenSSL), not the library
// that wrote them: chain, names, usages, validity, key pairing.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  clientIdentity,
  createCa,
  describeCertificate,
  gatewayIdentity,
  identityFileBase,
  identityUri,
  isSignedBy,
  issueCertificate,
  loadCa,
  parseGatewayRef,
  parseIdentityUri,
  PkiError,
  serviceIdentity,
  type PemPair,
} from './index.js';

const DAY = 86_400_000;
let ca: PemPair;
beforeAll(async () => {
  ca = await createCa();
});

const sans = (pem: string) => new X509Certificate(pem).subjectAltName?.split(', ') ?? [];

describe('createCa', () => {
  it('is a self-signed ECDSA P-256 CA valid for ten years, constrained to Gatehouse URIs', () => {
    const cert = new X509Certificate(ca.certPem);
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(cert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(true);
    const years = (Date.parse(cert.validTo) - Date.now()) / (365 * DAY);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
  });

  it('writes a new CA each time (no shared keys between installs)', async () => {
    const other = await createCa();
    expect(other.keyPem).not.toBe(ca.keyPem);
    expect(new X509Certificate(other.certPem).subject).not.toBe(new X509Certificate(ca.certPem).subject);
  });
});

describe('issueCertificate', () => {
  it('issues a service certificate the CA verifies, with its identity, compose and loopback names', async () => {
    const leaf = await issueCertificate({ ca, identity: serviceIdentity('authz') });
    const cert = new X509Certificate(leaf.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkPrivateKey(createPrivateKey(leaf.keyPem))).toBe(true);
    expect(cert.checkPrivateKey(createPrivateKey(ca.keyPem))).toBe(false);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(sans(leaf.certPem)).toEqual(['URI:spiffe://gatehouse/service/authz', 'DNS:authz', 'DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']);
    expect(cert.checkHost('authz')).toBe('authz');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.keyUsage).toEqual(expect.arrayContaining(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']));
    const days = (Date.parse(cert.validTo) - Date.now()) / DAY;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    // Backdated a little, so a peer whose clock is behind accepts it at once.
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.now() - 60_000);
  });

  it('adds the Kubernetes Service names when given a namespace', async () => {
    const leaf = await issueCertificate({ ca, identity: serviceIdentity('xds'), k8sNamespace: 'gatehouse' });
    const cert = new X509Certificate(leaf.certPem);
    for (const name of ['gatehouse-xds.gatehouse.svc', 'gatehouse-xds.gatehouse.svc.cluster.local', 'xds']) expect(cert.checkHost(name), name).toBe(name);
  });

  it("names a Gateway's Envoy and a client by URI alone", async () => {
    const envoy = await issueCertificate({ ca, identity: parseGatewayRef('team/edge') });
    expect(sans(envoy.certPem)).toEqual(['URI:spiffe://gatehouse/gateway/team/edge']);
    const client = await issueCertificate({ ca, identity: clientIdentity('cli'), validityDays: 7 });
    expect(sans(client.certPem)).toEqual(['URI:spiffe://gatehouse/client/cli']);
    expect((Date.parse(new X509Certificate(client.certPem).validTo) - Date.now()) / DAY).toBeLessThan(7.1);
  });

  it("names a merged GatewayClass's fleet (a bare name where a Gateway is <namespace>/<name>) by URI alone, in its own file", async () => {
    const identity = parseGatewayRef('shared');
    const fleet = await issueCertificate({ ca, identity });
    expect(sans(fleet.certPem)).toEqual(['URI:spiffe://gatehouse/gatewayclass/shared']);
    expect(identityFileBase(identity)).toBe('gatewayclass-shared');
    expect(identityFileBase(parseGatewayRef('gatewayclass/shared'))).toBe('envoy-gatewayclass-shared');
    expect(parseIdentityUri('spiffe://gatehouse/gatewayclass/shared')).toEqual(identity);
  });

  it('never outlives its CA', async () => {
    const shortCa = await createCa({ validityDays: 10 });
    const leaf = await issueCertificate({ ca: shortCa, identity: serviceIdentity('certs') });
    expect(new X509Certificate(leaf.certPem).validTo).toBe(new X509Certificate(shortCa.certPem).validTo);
  });

  it('refuses a CA whose key is not its own, and a leaf as CA', async () => {
    const other = await createCa();
    await expect(issueCertificate({ ca: { certPem: ca.certPem, keyPem: other.keyPem }, identity: serviceIdentity('xds') })).rejects.toMatchObject({ code: 'GH_PKI_KEY_MISMATCH' });
    const leaf = await issueCertificate({ ca, identity: serviceIdentity('xds') });
    await expect(loadCa(leaf)).rejects.toMatchObject({ code: 'GH_PKI_NOT_A_CA' });
    await expect(loadCa({ certPem: 'nope', keyPem: ca.keyPem })).rejects.toMatchObject({ code: 'GH_PKI_INVALID_PEM' });
  });
});

describe('describeCertificate', () => {
  it('reads back the identity, names and expiry; isSignedBy tells which CA', async () => {
    const leaf = await issueCertificate({ ca, identity: gatewayIdentity('default', 'eg') });
    const summary = await describeCertificate(leaf.certPem);
    expect(summary.identity).toEqual({ kind: 'gateway', namespace: 'default', name: 'eg' });
    expect(summary.isCa).toBe(false);
    expect(summary.notAfter.toISOString()).toBe(new Date(new X509Certificate(leaf.certPem).validTo).toISOString());
    expect(summary.fingerprint).toBe(new X509Certificate(leaf.certPem).fingerprint256.replaceAll(':', '').toLowerCase());
    expect((await describeCertificate(ca.certPem)).isCa).toBe(true);
    expect(await isSignedBy(leaf.certPem, ca.certPem)).toBe(true);
    expect(await isSignedBy(leaf.certPem, (await createCa()).certPem)).toBe(false);
  });
});

describe('identities', () => {
  it('round-trips each kind through its URI, and names its files', () => {
    for (const id of [serviceIdentity('ratelimit'), gatewayIdentity('team', 'edge.v2'), clientIdentity('bench')]) expect(parseIdentityUri(identityUri(id))).toEqual(id);
    expect([serviceIdentity('xds'), gatewayIdentity('team', 'edge'), clientIdentity('cli')].map(identityFileBase)).toEqual(['xds', 'envoy-team-edge', 'client-cli']);
  });

  it('refuses names that are not Kubernetes names (no path tricks in file names)', () => {
    for (const bad of [() => serviceIdentity('redis'), () => parseGatewayRef('Edge'), () => parseGatewayRef('a/b/c'), () => parseGatewayRef('../x/y'), () => gatewayIdentity('Team', 'edge'), () => clientIdentity('a/b'), () => clientIdentity('')]) {
      expect(bad).toThrow(PkiError);
    }
    expect(parseIdentityUri('spiffe://other/service/xds')).toBeUndefined();
    expect(parseIdentityUri('spiffe://gatehouse/service/redis')).toBeUndefined();
  });
});

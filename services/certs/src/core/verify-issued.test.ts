import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IssuedCertificateError, splitPemChain, verifyIssued } from './verify-issued.js';

const read = (name: string) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');
const chainPem = read('chain-leaf-intermediate.pem');
const keyPem = read('chain-leaf.key');
const root = new X509Certificate(read('chain-root.pem'));
const now = Date.parse('2027-06-01T00:00:00Z');
const good = { chainPem, keyPem, dnsNames: ['a.example.com', '*.example.com'], trustedRoots: [root], now };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof IssuedCertificateError ? err.code : `unexpected: ${String(err)}`;
  }
  return undefined;
}

describe('verifyIssued (checked before anything is stored or published)', () => {
  it('accepts a matching key, a chain to a trusted root and all names', () => {
    const verified = verifyIssued(good);
    expect(verified.notAfter).toBeGreaterThan(now);
  });

  it('refuses a key that does not belong to the certificate', () => {
    expect(codeOf(() => verifyIssued({ ...good, keyPem: read('other.key') }))).toBe('GH_CERTS_KEY_MISMATCH');
  });

  it('refuses a chain whose links do not verify', () => {
    const [leaf] = splitPemChain(chainPem);
    expect(codeOf(() => verifyIssued({ ...good, chainPem: `${leaf}\n${root.toString()}` }))).toBe('GH_CERTS_CHAIN_INVALID');
  });

  it('refuses a chain that ends at an untrusted root, unless no roots are required', () => {
    const stranger = new X509Certificate(read('ari-rfc9773-example.pem'));
    expect(codeOf(() => verifyIssued({ ...good, trustedRoots: [stranger] }))).toBe('GH_CERTS_CHAIN_UNTRUSTED');
    expect(codeOf(() => verifyIssued({ ...good, trustedRoots: [] }))).toBeUndefined();
  });

  it('refuses a certificate that misses a requested name', () => {
    expect(codeOf(() => verifyIssued({ ...good, dnsNames: ['a.example.com', 'b.example.org'] }))).toBe('GH_CERTS_NAMES_MISSING');
  });

  it('refuses a certificate that is not valid now', () => {
    expect(codeOf(() => verifyIssued({ ...good, now: Date.parse('2040-01-01T00:00:00Z') }))).toBe('GH_CERTS_NOT_VALID_NOW');
  });
});

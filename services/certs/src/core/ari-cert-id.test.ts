import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ariCertId } from './ari-cert-id.js';

describe('ariCertId', () => {
  it('matches the RFC 9773 section 4.1 example (AKI 69:88:5B..., serial 0x87654321 with its leading zero byte)', () => {
    const pem = readFileSync(new URL('./testdata/ari-rfc9773-example.pem', import.meta.url), 'utf8');
    expect(ariCertId(new X509Certificate(pem).raw)).toBe('aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  });

  it('refuses bytes that are not a certificate with a clear code', () => {
    expect(() => ariCertId(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(expect.objectContaining({ code: 'GH_CERTS_DER_MALFORMED' }));
  });
});

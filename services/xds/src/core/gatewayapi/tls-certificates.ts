// A listener's certificate is checked before the listener is Programmed, as Envoy Gateway does and as
// Envoy itself would on load: tls.crt must hold PEM X.509 certificates, tls.key a PEM private key, and
// the key must belong to the first (leaf) certificate. A Secret that fails is not served.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { GatewayResource } from '../provider/resource-types.js';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** tls.crt / tls.key of a kubernetes.io/tls Secret: stringData as written, data base64-decoded. */
export function readTlsSecretKey(secret: GatewayResource, key: 'tls.crt' | 'tls.key'): string {
  return secret.stringData?.[key] ?? Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
}

/** Why this certificate and key cannot be served, or undefined when they can. */
export function describeCertificateProblem(certificateChain: string, privateKey: string): string | undefined {
  const parsed = parseCertificates(certificateChain, 'tls.crt');
  if (!parsed.ok) return parsed.problem;
  let key;
  try {
    key = createPrivateKey(privateKey);
  } catch {
    return 'tls.key does not parse as a PEM private key';
  }
  if (!parsed.certificates[0]!.checkPrivateKey(key)) return 'tls.key does not match the certificate in tls.crt';
  return undefined;
}

/** Every PEM certificate in `pem` (a chain, or a CA bundle), parsed; `field` names it in the problem. */
export function parseCertificates(pem: string, field: string): { ok: true; certificates: X509Certificate[]; pems: string[] } | { ok: false; problem: string } {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return { ok: false, problem: `${field} holds no PEM certificate` };
  const certificates: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return { ok: false, problem: `${field}: certificate ${i + 1} does not parse as X.509` };
    }
  }
  return { ok: true, certificates, pems: blocks };
}

// A fresh private key for a certificate, as PKCS#8 PEM (what acme-client's CSR builder reads).
import { generateKeyPair } from 'node:crypto';
import type { PrivateKeySpec } from './resources.js';

function generate(type: 'rsa' | 'ec', options: { modulusLength?: number; namedCurve?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const encoding = { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } } as const;
    const done = (err: Error | null, _publicKey: string, privateKey: string) => (err ? reject(err) : resolve(privateKey));
    if (type === 'rsa') generateKeyPair('rsa', { modulusLength: options.modulusLength ?? 2048, ...encoding }, done);
    else generateKeyPair('ec', { namedCurve: options.namedCurve ?? 'P-256', ...encoding }, done);
  });
}

export async function generatePrivateKey(spec: Pick<PrivateKeySpec, 'algorithm' | 'size'>): Promise<string> {
  if (spec.algorithm === 'RSA') return generate('rsa', { modulusLength: spec.size });
  return generate('ec', { namedCurve: spec.size === 384 ? 'P-384' : 'P-256' });
}

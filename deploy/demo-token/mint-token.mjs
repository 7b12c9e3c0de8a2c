#!/usr/bin/env node
// Mints a demo JWT for the example API (deploy/examples/jwt-api.yaml): ES256, signed with the demo key
// beside this file, whose public half is inlined in the SecurityPolicy. Demo only: the key is public.
//   node deploy/demo-token/mint-token.mjs [--sub alice] [--ttl 3600] [--aud demo-api] [--expired]
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const DEMO_ISSUER = 'https://demo-issuer.gatehouse.local';
export const DEMO_AUDIENCE = 'demo-api';

const { values } = parseArgs({
  options: {
    sub: { type: 'string', default: 'alice' },
    ttl: { type: 'string', default: '3600' },
    aud: { type: 'string', default: DEMO_AUDIENCE },
    expired: { type: 'boolean', default: false },
  },
});

const jwk = JSON.parse(readFileSync(new URL('./demo-signing-key.jwk.json', import.meta.url), 'utf8'));
const now = Math.floor(Date.now() / 1000);
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) {
  console.error(`--ttl must be a positive number of seconds, got "${values.ttl}"`);
  process.exit(2);
}
const exp = values.expired ? now - 120 : now + ttl;
const header = { alg: 'ES256', typ: 'JWT', kid: jwk.kid };
const payload = { iss: DEMO_ISSUER, aud: values.aud, sub: values.sub, iat: now, exp };
const encode = (part) => Buffer.from(JSON.stringify(part)).toString('base64url');
const signingInput = `${encode(header)}.${encode(payload)}`;
// JWS ES256 wants the raw r||s signature, not DER.
const signature = sign('sha256', Buffer.from(signingInput), { key: createPrivateKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
process.stdout.write(`${signingInput}.${signature.toString('base64url')}\n`);

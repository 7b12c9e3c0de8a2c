// A tiny JWT issuer for journeys: an ES256 key pair, its public JWK set served over plain HTTP on
// loopback (what a SecurityPolicy's remoteJWKS points at), and a signer for test tokens.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JwtIssuerHandle {
  /** "http://127.0.0.1:<port>": the `iss` of every token this issuer signs. */
  readonly issuer: string;
  /** Where the public JWK set is served. */
  readonly jwksUri: string;
  /** Signs an ES256 JWT; `iss`, `iat` and `exp` (+5 min) are added unless given. */
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** How often the JWK set was fetched. */
  jwksFetches(): number;
  stop(): Promise<void>;
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

function signWith(privateKey: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  // JWS ES256 wants the raw r||s signature (IEEE P1363), not DER.
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${base64url(signature)}`;
}

export async function startJwtIssuer(): Promise<JwtIssuerHandle> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const kid = randomBytes(6).toString('hex');
  const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] });
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url !== '/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUri: `${issuer}/jwks.json`,
    sign(claims, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signWith(privateKey, { alg: 'ES256', typ: 'JWT', kid, ...header }, { iss: issuer, iat: now, exp: now + 300, ...claims });
    },
    jwksFetches: () => fetches,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

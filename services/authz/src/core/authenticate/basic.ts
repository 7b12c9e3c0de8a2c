// spec.basicAuth at request time: user and password against the .htpasswd entries. A verified
// credential is remembered for 5 minutes (under a digest, never in clear), so bcrypt is paid once.
import { createHash } from 'node:crypto';
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { RequestView } from '../decide/request-view.js';
import type { BasicAuthSpec } from '../policy/policy-model.js';
import { verifyPassword } from './htpasswd.js';
import type { AuthenticateDeps, Identity } from './step.js';

const REMEMBER_MS = 300_000;
const DUMMY_HASH = { scheme: 'sha1', digest: Buffer.alloc(20) } as const;

export function authenticateBasic(request: RequestView, spec: BasicAuthSpec, identity: Identity, deps: AuthenticateDeps): ErrorCode | undefined {
  const header = request.headers.authorization;
  if (!header || !/^basic /i.test(header)) return ErrorCodes.basicMissing;
  const now = deps.now();
  // Keyed by a digest of the credential, never the credential itself.
  const cacheKey = createHash('sha256').update(identity.policy.key).update('\u0000').update(header).digest('base64');
  let user = deps.caches.basic.get(cacheKey, now);
  if (user === undefined) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) return ErrorCodes.basicInvalid;
    const name = decoded.slice(0, colon);
    const hash = spec.users.get(name);
    // Unknown users still cost one hash, so response time does not reveal which users exist.
    const ok = hash ? verifyPassword(decoded.slice(colon + 1), hash) : (verifyPassword(decoded.slice(colon + 1), DUMMY_HASH), false);
    if (!ok) return ErrorCodes.basicInvalid;
    user = name;
    deps.caches.basic.set(cacheKey, user, now + REMEMBER_MS, now);
  }
  identity.via = identity.via === 'anonymous' ? 'basic' : identity.via;
  identity.upstream.push(['x-gatehouse-subject', user]);
  if (spec.forwardUsernameHeader) identity.upstream.push([spec.forwardUsernameHeader, user]);
  identity.metadata.basic = { username: user };
  return undefined;
}

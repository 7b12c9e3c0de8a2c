// spec.basicAuth at request time: user and password against the .htpasswd entries. A verified
// credential is remembered for 5 minutes (under a digest, never in clear), so bcrypt is paid once.
// Otherwise, in order: a name that spent its failure budget is refused before any hashing (429); an
// unknown name is checked against the policy's dummy hash, so it costs what a known one does; bcrypt
// runs off the event loop through deps.bcrypt, which refuses work beyond its cap (503) rather than
// queue it past Envoy's timeout.
import { createHash } from 'node:crypto';
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { RequestView } from '../decide/request-view.js';
import type { BasicAuthSpec } from '../policy/policy-model.js';
import { verifySha1 } from './htpasswd.js';
import type { AuthenticateDeps, Identity } from './step.js';

const REMEMBER_MS = 300_000;

export function authenticateBasic(request: RequestView, spec: BasicAuthSpec, identity: Identity, deps: AuthenticateDeps): ErrorCode | undefined | Promise<ErrorCode | undefined> {
  const header = request.headers.authorization;
  if (!header || !/^basic /i.test(header)) return ErrorCodes.basicMissing;
  const now = deps.now();
  // Keyed by a digest of the credential, never the credential itself.
  const cacheKey = createHash('sha256').update(identity.policy.key).update('\u0000').update(header).digest('base64');
  const remembered = deps.caches.basic.get(cacheKey, now);
  if (remembered !== undefined) return acceptBasic(remembered, spec, identity);
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return ErrorCodes.basicInvalid;
  const name = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  const budgetKey = `${identity.policy.key}\u0000${name}`;
  if (deps.basicFailures.exhausted(budgetKey, now)) return ErrorCodes.basicLocked;
  const known = spec.users.get(name);
  const hash = known ?? spec.dummyHash;
  const settle = (matches: boolean): ErrorCode | undefined => {
    // An unknown name never passes, whatever the dummy hash said.
    if (!matches || !known) return void deps.basicFailures.fail(budgetKey, deps.now()), ErrorCodes.basicInvalid;
    deps.caches.basic.set(cacheKey, name, now + REMEMBER_MS, now);
    return acceptBasic(name, spec, identity);
  };
  if (hash.scheme === 'sha1') return settle(verifySha1(password, hash.digest));
  const pending = deps.bcrypt.verify(password, hash.hash);
  return pending === 'busy' ? ErrorCodes.basicBusy : pending.then(settle);
}

function acceptBasic(user: string, spec: BasicAuthSpec, identity: Identity): undefined {
  identity.via = identity.via === 'anonymous' ? 'basic' : identity.via;
  identity.upstream.push(['x-gatehouse-subject', user]);
  if (spec.forwardUsernameHeader) identity.upstream.push([spec.forwardUsernameHeader, user]);
  identity.metadata.basic = { username: user };
  return undefined;
}

// spec.apiKeyAuth at request time: the presented key's SHA-256 compared with every configured digest
// in constant time (no early exit), synchronously; the client id goes upstream.
import { hash, timingSafeEqual } from 'node:crypto';
import { ErrorCodes, type ErrorCode } from '../../errors.js';
import type { RequestView } from '../decide/request-view.js';
import type { ApiKeySpec } from '../policy/policy-model.js';
import { extractCredential } from './extract-credential.js';
import type { AuthenticateDeps, Identity } from './step.js';

export function authenticateApiKey(request: RequestView, spec: ApiKeySpec, identity: Identity, _deps?: AuthenticateDeps): ErrorCode | undefined {
  const credential = extractCredential(request, spec.extractFrom);
  if (!credential) return ErrorCodes.apiKeyMissing;
  // One-shot hashing: no Hash object per request.
  const presented = hash('sha256', credential.value, 'buffer');
  // Compare against every key without stopping early, so timing says nothing about which matched.
  let matched: ApiKeySpec['keys'][number] | undefined;
  for (const key of spec.keys) {
    if (timingSafeEqual(presented, key.sha256) && matched === undefined) matched = key;
  }
  if (matched === undefined) return ErrorCodes.apiKeyInvalid;
  const { clientId } = matched;
  identity.via = identity.via === 'anonymous' ? 'api-key' : identity.via;
  identity.upstream.push(['x-gatehouse-client-id', clientId]);
  if (spec.forwardClientIdHeader) identity.upstream.push([spec.forwardClientIdHeader, clientId]);
  if (spec.sanitize && !credential.source.includes(':')) identity.remove.push(credential.source);
  identity.metadata.apiKey = matched.metadata;
  return undefined;
}

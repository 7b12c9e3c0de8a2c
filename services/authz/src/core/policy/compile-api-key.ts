// spec.apiKeyAuth -> ApiKeySpec: every client's key from the referenced Secrets, kept only as its
// SHA-256 digest (keys under 16 bytes refused), and where the key is found in a request.
import { createHash } from 'node:crypto';
import { ErrorCodes } from '../../errors.js';
import { arr, asObj, compileExtractFrom, identityHeaderName, optional, str, type CompileContext, type Obj } from './fields.js';
import type { ApiKeySpec, ExtractFrom } from './policy-model.js';

export function compileApiKey(a: Obj, ctx: CompileContext): ApiKeySpec {
  const keys: { clientId: string; sha256: Buffer; metadata: Readonly<{ clientId: string }> }[] = [];
  arr(a.credentialRefs).forEach((r, i) => {
    const ref = asObj(r);
    const ns = str(ref.namespace) ?? ctx.namespace;
    const data = ctx.lookup('Secret', ns, str(ref.name) ?? '');
    if (!data) return void ctx.issue(`/spec/apiKeyAuth/credentialRefs/${i}`, `Secret ${ns}/${str(ref.name)} not found`, ErrorCodes.configMissingSecret);
    for (const [clientId, key] of Object.entries(data)) {
      if (key.length < 16) ctx.issue(`/spec/apiKeyAuth/credentialRefs/${i}`, `API key of client "${clientId}" is shorter than 16 bytes`);
      keys.push({ clientId, sha256: createHash('sha256').update(key).digest(), metadata: Object.freeze({ clientId }) });
    }
  });
  const extractFrom = arr(a.extractFrom).map((e, i) => compileExtractFrom(asObj(e), `/spec/apiKeyAuth/extractFrom/${i}`, ctx));
  const merged: ExtractFrom = {
    headers: extractFrom.flatMap((e) => e.headers),
    cookies: extractFrom.flatMap((e) => e.cookies),
    params: extractFrom.flatMap((e) => e.params),
  };
  const forward = a.forwardClientIDHeader === undefined ? undefined : identityHeaderName(a.forwardClientIDHeader, '/spec/apiKeyAuth/forwardClientIDHeader', ctx);
  return { keys, extractFrom: merged, ...optional('forwardClientIdHeader', forward), sanitize: a.sanitize === true };
}

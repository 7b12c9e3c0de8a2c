// spec.basicAuth -> BasicAuthSpec: the users of the referenced Secret's ".htpasswd" ({SHA} and bcrypt
// only; other schemes are config errors), the dummy hash unknown users are checked against, and the
// header that forwards the verified user name.
import { ErrorCodes } from '../../errors.js';
import { dummyHashFor, parseHtpasswd } from '../authenticate/htpasswd.js';
import { asObj, identityHeaderName, optional, str, type CompileContext, type Obj } from './fields.js';
import type { BasicAuthSpec } from './policy-model.js';

export function compileBasicAuth(b: Obj, ctx: CompileContext): BasicAuthSpec {
  const ref = asObj(b.users);
  const ns = str(ref.namespace) ?? ctx.namespace;
  const text = ctx.lookup('Secret', ns, str(ref.name) ?? '')?.['.htpasswd']?.toString('utf8');
  const forward = b.forwardUsernameHeader === undefined ? undefined : identityHeaderName(b.forwardUsernameHeader, '/spec/basicAuth/forwardUsernameHeader', ctx);
  if (text === undefined) {
    ctx.issue('/spec/basicAuth/users', `Secret ${ns}/${str(ref.name)} with key ".htpasswd" not found`, ErrorCodes.configMissingSecret);
    return { users: new Map(), dummyHash: dummyHashFor(new Map()) };
  }
  const { users, problems } = parseHtpasswd(text);
  for (const problem of problems) ctx.issue('/spec/basicAuth/users', `.htpasswd ${problem}`);
  return { users, dummyHash: dummyHashFor(users), ...optional('forwardUsernameHeader', forward) };
}

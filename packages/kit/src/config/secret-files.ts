// Secrets reach a service the way Docker and Kubernetes hand them over: as a file named by `<NAME>_FILE`
// (a secrets volume), or directly as `<NAME>`. And a secret anyone can read in this repository's deploy
// files (the demo values a compose file or manifest once carried) is refused, so a deployment cannot run
// on public knowledge by accident: GATEHOUSE_DEMO=true allows them for a throwaway demo.
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';

/** Values published in Gatehouse's deploy files, examples or docs at some point. */
const PUBLISHED_DEMO_SECRETS = new Set([
  'gatehouse-demo-admin-token',
  'ZGVtby1vbmx5LWtleS1uZXZlci11c2UtaXQtbGl2ZSE=',
  'demo-only-cookie-secret-change-me-0123456789',
  'change-me',
  'change-me-to-64-hex-characters',
]);

/** The variables that hold secrets; only these are checked against the published values. */
const SECRET_VARIABLES = ['ADMIN_TOKEN', 'CERTS_ENCRYPTION_KEY', 'AUTHZ_COOKIE_SECRET', 'REDIS_PASSWORD'];

/**
 * Fills `<NAME>` from the file `<NAME>_FILE` names, for every `<NAME>_FILE` set whose `<NAME>` is unset or
 * empty (a value set directly wins). The file's trailing newline is dropped.
 */
export function resolveSecretFiles(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...environment };
  for (const [variable, path] of Object.entries(environment)) {
    if (!variable.endsWith('_FILE') || !path) continue;
    const name = variable.slice(0, -'_FILE'.length);
    if (out[name]) continue;
    try {
      out[name] = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new ConfigError(variable, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  return out;
}

/** Throws a ConfigError naming the first secret variable set to a published demo value. */
export function refusePublishedSecrets(environment: NodeJS.ProcessEnv): void {
  if (/^(true|1|yes)$/i.test(environment.GATEHOUSE_DEMO ?? '')) return;
  for (const name of SECRET_VARIABLES) {
    const value = environment[name]?.trim();
    if (value && PUBLISHED_DEMO_SECRETS.has(value)) {
      throw new ConfigError(name, 'is a published demo value (anyone can read it in the deploy files): generate your own (openssl rand -base64 32), or set GATEHOUSE_DEMO=true for a throwaway demo');
    }
  }
}

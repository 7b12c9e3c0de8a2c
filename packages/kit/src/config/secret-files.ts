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
const SECRET_VARIABLES = ['ADMIN_TOKEN', 'CERTS_ENCRYPTION_KEY', 'AUTHZ_COOKIE_SECRET', 'REDIS_PASSWORD', 'GATEHOUSE_CONTROL_KEY', 'GATEHOUSE_CONTROL_KEY_PREVIOUS'];

/**
 * The raw value of `name`: set directly, or else read from the file `<name>_FILE` names (trailing newline
 * dropped). Only variables a service declares are looked up, so an unrelated `*_FILE` of the machine's
 * environment (TF_CLI_CONFIG_FILE, ...) is never read.
 */
export function rawValue(name: string, environment: NodeJS.ProcessEnv): string | undefined {
  const direct = environment[name];
  const path = environment[`${name}_FILE`];
  if ((direct !== undefined && direct !== '') || !path) return direct;
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`${name}_FILE`, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Throws a ConfigError when a secret variable holds a published demo value (unless GATEHOUSE_DEMO). */
export function refusePublishedSecret(name: string, value: string | undefined, environment: NodeJS.ProcessEnv): void {
  if (!SECRET_VARIABLES.includes(name) || !value || !PUBLISHED_DEMO_SECRETS.has(value.trim())) return;
  if (/^(true|1|yes)$/i.test(environment.GATEHOUSE_DEMO ?? '')) return;
  throw new ConfigError(name, 'is a published demo value (anyone can read it in the deploy files): generate your own (openssl rand -base64 32), or set GATEHOUSE_DEMO=true for a throwaway demo');
}

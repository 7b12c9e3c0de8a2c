// Waits until a TXT value is visible before the CA is asked to validate: telling the CA too early
// fails the authorization and counts against Let's Encrypt's failed-validation limit.
import { Resolver } from 'node:dns/promises';
import { Dns01Error } from './dns01-provider.js';

export interface PropagationOptions {
  /** "host:port" resolvers to ask (e.g. the zone's authoritative servers); default: the system's. */
  readonly nameservers?: readonly string[];
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

export async function waitForTxt(fqdn: string, value: string, options: PropagationOptions = {}): Promise<void> {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  if (options.nameservers && options.nameservers.length > 0) resolver.setServers([...options.nameservers]);
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let last = 'no answer';
  for (;;) {
    try {
      const records = await resolver.resolveTxt(fqdn);
      if (records.some((chunks) => chunks.join('') === value)) return;
      last = `${records.length} other TXT value(s)`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() >= deadline) throw new Dns01Error('GH_CERTS_DNS01_NOT_PROPAGATED', `TXT ${fqdn} did not show the challenge value in time (${last})`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 2000));
  }
}

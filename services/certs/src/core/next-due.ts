// When a managed certificate next needs attention, with a stable key for that moment: job ids are
// built from it, so replicas that compute the same moment add the same job (BullMQ deduplicates).
import { createHash } from 'node:crypto';
import type { CertificateState } from './status.js';

export interface DueState extends CertificateState {
  readonly dnsNames?: readonly string[];
  readonly pendingOrderUrl?: string;
  /** The CA's Retry-After for renewalInfo; overrides the default recheck interval. */
  readonly ariRecheckMs?: number;
}

export interface Due {
  /** Epoch ms; 0 means now. */
  readonly at: number;
  readonly key: string;
}

const shortHash = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 12);

export function nextDue(dnsNames: readonly string[], state: DueState | undefined, now: number, ariRecheckMs: number): Due {
  // After a failure the backoff rules, even over resuming a pending order.
  if (state?.failures && state.nextAttemptTime) return { at: state.nextAttemptTime, key: `retry-${state.nextAttemptTime}` };
  // An order in flight whose replica went away: resume it.
  if (state?.pendingOrderUrl) return { at: 0, key: `resume-${shortHash(state.pendingOrderUrl)}` };
  if (!state?.notAfter) return { at: 0, key: 'new' };
  const have = state.dnsNames ?? [];
  if (have.length !== dnsNames.length || !dnsNames.every((n) => have.includes(n))) return { at: 0, key: `names-${shortHash(dnsNames.join(','))}` };
  const at = state.renewalTime ?? state.notAfter;
  // An ARI window can move (the CA may ask for early renewal after an incident): look again.
  const recheckMs = state.ariRecheckMs ?? ariRecheckMs;
  if (state.renewalBasis === 'ari' && now + recheckMs < at) {
    const recheck = now + recheckMs;
    return { at: recheck, key: `ari-${Math.floor(recheck / 60_000)}` };
  }
  return { at, key: `renew-${at}` };
}

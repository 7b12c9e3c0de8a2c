// When to renew a certificate. Always computed from the issued certificate's own dates, never from
// when we asked for it: a CA may backdate notBefore or shorten the lifetime.

const DAY_MS = 86_400_000;

export interface CertificateDates {
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** cert-manager's spec.renewBefore / spec.renewBeforePercentage, both optional. */
export interface RenewalPolicy {
  /** Milliseconds before notAfter. */
  readonly renewBeforeMs?: number;
  /** Percentage (1..99) of the lifetime that remains at renewal. */
  readonly renewBeforePercentage?: number;
}

/** RFC 9773 suggestedWindow, already parsed. */
export interface RenewalWindow {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The default without ARI, as certmagic and Let's Encrypt recommend: renew when a third of the
 * lifetime remains; for short-lived certificates (under 10 days) when half remains.
 */
export function fallbackRenewalTime(dates: CertificateDates): Date {
  const lifetime = dates.notAfter.getTime() - dates.notBefore.getTime();
  const remainingFraction = lifetime < 10 * DAY_MS ? 1 / 2 : 1 / 3;
  return new Date(dates.notAfter.getTime() - lifetime * remainingFraction);
}

/** The renewal time the Certificate's own spec asks for, or undefined when it sets nothing usable. */
export function policyRenewalTime(dates: CertificateDates, policy: RenewalPolicy): Date | undefined {
  const lifetime = dates.notAfter.getTime() - dates.notBefore.getTime();
  if (policy.renewBeforePercentage !== undefined) {
    return new Date(dates.notAfter.getTime() - (lifetime * policy.renewBeforePercentage) / 100);
  }
  // cert-manager ignores a renewBefore that is not shorter than the lifetime; so do we.
  if (policy.renewBeforeMs !== undefined && policy.renewBeforeMs > 0 && policy.renewBeforeMs < lifetime) {
    return new Date(dates.notAfter.getTime() - policy.renewBeforeMs);
  }
  return undefined;
}

/**
 * RFC 9773 section 4.2: pick a uniformly random time inside the suggested window. A window that
 * has already ended means "renew now".
 */
export function pickTimeInWindow(window: RenewalWindow, now: Date, random: () => number = Math.random): Date {
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (end <= now.getTime()) return now;
  const from = Math.max(start, now.getTime());
  return new Date(from + Math.floor(random() * (end - from)));
}

export interface RenewalDecision {
  readonly renewAt: Date;
  readonly basis: 'ari' | 'policy' | 'fallback';
}

/**
 * The time to renew: the ARI pick when the CA offers a window (the CA knows about revocations and
 * incidents), but never later than what the Certificate's own renewBefore asks for; without ARI the
 * spec's policy, else the fallback fractions.
 */
export function decideRenewalTime(input: {
  readonly dates: CertificateDates;
  readonly policy: RenewalPolicy;
  readonly ariPick?: Date | undefined;
}): RenewalDecision {
  const fromPolicy = policyRenewalTime(input.dates, input.policy);
  if (input.ariPick) {
    if (fromPolicy && fromPolicy < input.ariPick) return { renewAt: fromPolicy, basis: 'policy' };
    return { renewAt: input.ariPick, basis: 'ari' };
  }
  if (fromPolicy) return { renewAt: fromPolicy, basis: 'policy' };
  return { renewAt: fallbackRenewalTime(input.dates), basis: 'fallback' };
}

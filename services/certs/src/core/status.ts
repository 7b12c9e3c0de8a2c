// cert-manager-style status of a managed Certificate, computed from what the store knows.

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  readonly type: 'Ready' | 'Issuing';
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

/** What the store records about one certificate. Times are epoch milliseconds. */
export interface CertificateState {
  readonly revision: number;
  readonly notBefore?: number;
  readonly notAfter?: number;
  readonly renewalTime?: number;
  readonly renewalBasis?: string;
  /** An order is running or queued to run now. */
  readonly issuing?: 'Issuing' | 'Renewing' | 'ManuallyTriggered';
  readonly failures: number;
  readonly lastFailureTime?: number;
  readonly lastFailureMessage?: string;
  readonly nextAttemptTime?: number;
}

export interface CertificateStatus {
  readonly conditions: readonly Condition[];
  readonly notBefore?: string;
  readonly notAfter?: string;
  readonly renewalTime?: string;
  readonly revision?: number;
  readonly lastFailureTime?: string;
  readonly failedIssuanceAttempts?: number;
  readonly nextAttemptTime?: string;
}

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

export function computeStatus(state: CertificateState | undefined, now: number): CertificateStatus {
  const hasCert = state?.notAfter !== undefined;
  let ready: Condition;
  if (!state || !hasCert) {
    ready = { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as it does not exist yet' };
  } else if ((state.notAfter ?? 0) <= now) {
    ready = { type: 'Ready', status: 'False', reason: 'Expired', message: `Certificate expired on ${iso(state.notAfter)}` };
  } else {
    ready = { type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired' };
  }

  const conditions: Condition[] = [ready];
  if (state?.issuing) {
    const message =
      state.issuing === 'ManuallyTriggered'
        ? 'Certificate renewal was manually triggered'
        : state.issuing === 'Renewing'
          ? 'Renewing certificate as renewal was scheduled'
          : 'Issuing certificate as Secret does not exist';
    conditions.push({ type: 'Issuing', status: 'True', reason: state.issuing, message });
  } else if (state && state.failures > 0 && state.lastFailureMessage) {
    conditions.push({
      type: 'Issuing',
      status: 'False',
      reason: 'Failed',
      message: `The certificate request has failed to complete and will be retried: ${state.lastFailureMessage}`,
    });
  }

  const status: Record<string, unknown> = { conditions };
  if (state) {
    status.notBefore = iso(state.notBefore);
    status.notAfter = iso(state.notAfter);
    status.renewalTime = iso(state.renewalTime);
    status.revision = hasCert ? state.revision : undefined;
    status.lastFailureTime = iso(state.lastFailureTime);
    status.failedIssuanceAttempts = state.failures > 0 ? state.failures : undefined;
    status.nextAttemptTime = state.failures > 0 ? iso(state.nextAttemptTime) : undefined;
  }
  for (const key of Object.keys(status)) if (status[key] === undefined) delete status[key];
  return status as unknown as CertificateStatus;
}

/** The status of a certificate whose Issuer does not exist (yet): not Issuing, and why. */
export function withMissingIssuer(status: CertificateStatus, issuer: string): CertificateStatus {
  return {
    ...status,
    conditions: [...status.conditions.filter((c) => c.type !== 'Issuing'), { type: 'Issuing', status: 'False', reason: 'IssuerNotFound', message: `${issuer} does not exist` }],
  };
}

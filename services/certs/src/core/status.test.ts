import { describe, expect, it } from 'vitest';
import { computeStatus } from './status.js';

const now = Date.parse('2026-01-10T00:00:00Z');

describe('computeStatus', () => {
  it('is not Ready and Issuing when nothing was issued yet', () => {
    const status = computeStatus({ revision: 0, failures: 0, issuing: 'Issuing' }, now);
    expect(status.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'False', 'DoesNotExist'],
      ['Issuing', 'True', 'Issuing'],
    ]);
  });

  it('is Ready with dates and revision once issued', () => {
    const status = computeStatus({ revision: 2, failures: 0, notBefore: now - 1000, notAfter: now + 86_400_000, renewalTime: now + 3600_000 }, now);
    expect(status).toMatchObject({ revision: 2, notAfter: '2026-01-11T00:00:00.000Z', renewalTime: '2026-01-10T01:00:00.000Z' });
    expect(status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Ready' })]);
  });

  it('reports an expired certificate and the last failure', () => {
    const status = computeStatus({ revision: 1, failures: 2, notBefore: now - 2000, notAfter: now - 1000, lastFailureTime: now - 500, lastFailureMessage: 'GH_CERTS_ACME_ORDER_FAILED: boom' }, now);
    expect(status.conditions.map((c) => c.reason)).toEqual(['Expired', 'Failed']);
    expect(status.conditions[1]?.message).toContain('boom');
    expect(status.lastFailureTime).toBe(new Date(now - 500).toISOString());
    expect(status.failedIssuanceAttempts).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { nextDue } from './next-due.js';

const now = 1_800_000_000_000;
const H = 3_600_000;
const issued = { revision: 1, failures: 0, notBefore: now - H, notAfter: now + 90 * 24 * H, renewalTime: now + 60 * 24 * H, renewalBasis: 'fallback', dnsNames: ['a.example.com'] };

describe('nextDue', () => {
  it('is now for a certificate never issued', () => {
    expect(nextDue(['a.example.com'], undefined, now, 6 * H)).toEqual({ at: 0, key: 'new' });
  });

  it('is the renewal time of an issued certificate, with the same key on every replica', () => {
    const due = nextDue(['a.example.com'], issued, now, 6 * H);
    expect(due).toEqual({ at: issued.renewalTime, key: `renew-${issued.renewalTime}` });
    expect(nextDue(['a.example.com'], issued, now + 5000, 6 * H)).toEqual(due);
  });

  it('is now when the requested names changed', () => {
    expect(nextDue(['a.example.com', 'b.example.com'], issued, now, 6 * H).at).toBe(0);
  });

  it('resumes a pending order at once', () => {
    expect(nextDue(['a.example.com'], { ...issued, pendingOrderUrl: 'https://ca/order/1' }, now, 6 * H)).toMatchObject({ at: 0, key: expect.stringMatching(/^resume-/) });
  });

  it('lets the backoff after a failure win over everything else', () => {
    const failed = { ...issued, pendingOrderUrl: 'https://ca/order/1', failures: 2, nextAttemptTime: now + 600_000 };
    expect(nextDue(['a.example.com', 'new.example.com'], failed, now, 6 * H)).toEqual({ at: now + 600_000, key: `retry-${now + 600_000}` });
  });

  it('looks at an ARI window again every recheck interval (the CA\'s Retry-After when given) until the renewal is close', () => {
    const ari = { ...issued, renewalBasis: 'ari' };
    expect(nextDue(['a.example.com'], ari, now, 6 * H)).toMatchObject({ at: now + 6 * H });
    expect(nextDue(['a.example.com'], { ...ari, ariRecheckMs: 2 * H }, now, 6 * H)).toMatchObject({ at: now + 2 * H });
    const close = { ...ari, renewalTime: now + H };
    expect(nextDue(['a.example.com'], close, now, 6 * H)).toEqual({ at: now + H, key: `renew-${now + H}` });
  });
});

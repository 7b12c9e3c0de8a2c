import { describe, expect, it } from 'vitest';
import { decideRenewalTime, fallbackRenewalTime, pickTimeInWindow, policyRenewalTime } from './renewal-time.js';

const DAY = 86_400_000;
const t0 = new Date('2026-01-01T00:00:00Z');
const after = (ms: number) => new Date(t0.getTime() + ms);

describe('fallbackRenewalTime', () => {
  it('renews a 90-day certificate when a third of its lifetime remains (day 60)', () => {
    expect(fallbackRenewalTime({ notBefore: t0, notAfter: after(90 * DAY) })).toEqual(after(60 * DAY));
  });

  it('renews a 6-day certificate at half its lifetime', () => {
    expect(fallbackRenewalTime({ notBefore: t0, notAfter: after(6 * DAY) })).toEqual(after(3 * DAY));
  });

  it('renews a 5-minute certificate after 2.5 minutes', () => {
    expect(fallbackRenewalTime({ notBefore: t0, notAfter: after(300_000) })).toEqual(after(150_000));
  });

  it('computes from the certificate dates, so a backdated notBefore moves the renewal earlier', () => {
    const backdated = new Date(t0.getTime() - 3600_000);
    expect(fallbackRenewalTime({ notBefore: backdated, notAfter: after(90 * DAY - 3600_000) }).getTime()).toBeLessThan(after(60 * DAY).getTime());
  });
});

describe('policyRenewalTime', () => {
  const dates = { notBefore: t0, notAfter: after(90 * DAY) };
  it('applies renewBefore from notAfter', () => {
    expect(policyRenewalTime(dates, { renewBeforeMs: 15 * DAY })).toEqual(after(75 * DAY));
  });
  it('applies renewBeforePercentage of the lifetime', () => {
    expect(policyRenewalTime(dates, { renewBeforePercentage: 50 })).toEqual(after(45 * DAY));
  });
  it('ignores a renewBefore that is not shorter than the lifetime', () => {
    expect(policyRenewalTime(dates, { renewBeforeMs: 100 * DAY })).toBeUndefined();
  });
});

describe('pickTimeInWindow', () => {
  it('picks inside the window', () => {
    const window = { start: after(DAY), end: after(2 * DAY) };
    expect(pickTimeInWindow(window, t0, () => 0)).toEqual(after(DAY));
    expect(pickTimeInWindow(window, t0, () => 0.5)).toEqual(after(1.5 * DAY));
  });
  it('never picks a time in the past when the window has started', () => {
    const window = { start: after(-DAY), end: after(DAY) };
    expect(pickTimeInWindow(window, t0, () => 0)).toEqual(t0);
  });
  it('means renew now when the window has ended', () => {
    expect(pickTimeInWindow({ start: after(-2 * DAY), end: after(-DAY) }, t0)).toEqual(t0);
  });
});

describe('decideRenewalTime', () => {
  const dates = { notBefore: t0, notAfter: after(90 * DAY) };
  it('prefers the ARI pick', () => {
    expect(decideRenewalTime({ dates, policy: {}, ariPick: after(10 * DAY) })).toEqual({ renewAt: after(10 * DAY), basis: 'ari' });
  });
  it('keeps the spec renewBefore as an upper bound on the ARI pick', () => {
    expect(decideRenewalTime({ dates, policy: { renewBeforeMs: 80 * DAY }, ariPick: after(60 * DAY) })).toEqual({ renewAt: after(10 * DAY), basis: 'policy' });
  });
  it('falls back to a third of the lifetime without ARI or policy', () => {
    expect(decideRenewalTime({ dates, policy: {} })).toEqual({ renewAt: after(60 * DAY), basis: 'fallback' });
  });
});

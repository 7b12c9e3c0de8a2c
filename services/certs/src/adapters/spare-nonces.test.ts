import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SpareNonces } from './spare-nonces.js';

describe('spare Replay-Nonces', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  let nonces: SpareNonces;
  const keepSpareNonce = (url: string, nonce: string) => nonces.keep(url, nonce);
  const takeSpareNonce = (url: string) => nonces.take(url);
  beforeEach(() => {
    nonces = new SpareNonces();
  });

  it('hands out each kept nonce once, newest first, only for its own CA', () => {
    keepSpareNonce('https://ca-one.test/acme/order/1', 'n1');
    keepSpareNonce('https://ca-one.test/acme/authz/2', 'n2');
    expect(takeSpareNonce('https://ca-two.test/dir')).toBeUndefined();
    expect(takeSpareNonce('https://ca-one.test/dir')).toBe('n2');
    expect(takeSpareNonce('https://ca-one.test/dir')).toBe('n1');
    expect(takeSpareNonce('https://ca-one.test/dir')).toBeUndefined();
  });

  it('keeps only the newest 20 per CA', () => {
    for (let i = 0; i < 25; i++) keepSpareNonce('https://ca-many.test/x', `n${i}`);
    const taken: string[] = [];
    for (let n = takeSpareNonce('https://ca-many.test/dir'); n; n = takeSpareNonce('https://ca-many.test/dir')) taken.push(n);
    expect(taken).toHaveLength(20);
    expect(taken[0]).toBe('n24');
    expect(taken.at(-1)).toBe('n5');
  });

  it('drops nonces older than 30 s: the CA may have expired them', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    keepSpareNonce('https://ca-slow.test/x', 'old');
    vi.advanceTimersByTime(30_001);
    keepSpareNonce('https://ca-slow.test/x', 'fresh');
    expect(takeSpareNonce('https://ca-slow.test/dir')).toBe('fresh');
    expect(takeSpareNonce('https://ca-slow.test/dir')).toBeUndefined();
  });
});

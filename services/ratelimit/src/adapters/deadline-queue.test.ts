import { describe, expect, it } from 'vitest';
import { DeadlineQueue } from './deadline-queue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DeadlineQueue', () => {
  it('expires entries that were not settled, and only those', async () => {
    const queue = new DeadlineQueue(20);
    const expired: string[] = [];
    const settleA = queue.add(() => expired.push('a'));
    queue.add(() => expired.push('b'));
    settleA();
    await sleep(60);
    expect(expired).toEqual(['b']);
  });

  it('keeps serving entries added after the timer went idle', async () => {
    const queue = new DeadlineQueue(10);
    const expired: number[] = [];
    queue.add(() => expired.push(1));
    await sleep(40);
    queue.add(() => expired.push(2));
    await sleep(40);
    expect(expired).toEqual([1, 2]);
  });
});

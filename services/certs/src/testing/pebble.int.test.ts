import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPebble, type TestPebble } from './pebble.js';

describe('startPebble', () => {
  let pebble: TestPebble;
  beforeAll(async () => {
    pebble = await startPebble();
  });
  afterAll(async () => {
    await pebble?.stop();
  });

  it('serves a directory over TLS and exposes its issuing root', async () => {
    expect(pebble.issuingRootPem).toContain('BEGIN CERTIFICATE');
    const res = await fetch(`${pebble.challtestsrvUrl}/set-txt`, { method: 'POST', body: JSON.stringify({ host: '_acme-challenge.x.test.', value: 'v' }) });
    expect(res.status).toBe(200);
  });
});

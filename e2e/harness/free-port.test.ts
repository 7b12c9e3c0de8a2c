import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, retryOnPortClash } from './free-port.js';

describe('retryOnPortClash', () => {
  it('starts again when a port was taken in the meantime', async () => {
    let attempts = 0;
    const value = await retryOnPortClash(async () => {
      attempts++;
      if (attempts < 3) throw new Error('bind: Address already in use');
      return 'started';
    });
    expect([value, attempts]).toEqual(['started', 3]);
  });

  it('gives up after the last attempt and never retries other failures', async () => {
    await expect(retryOnPortClash(async () => { throw new Error('listen EADDRINUSE'); }, 2)).rejects.toThrow('EADDRINUSE');
    let attempts = 0;
    await expect(retryOnPortClash(async () => { attempts++; throw new Error('config invalid'); })).rejects.toThrow('config invalid');
    expect(attempts).toBe(1);
  });
});

describe('freePort', () => {
  it('returns a port that can be listened on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    expect((server.address() as AddressInfo).port).toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });
});

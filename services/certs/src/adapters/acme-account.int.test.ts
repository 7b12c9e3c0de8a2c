// Every ACME request of an account, inside an order or not, asks the call limiter for a slot of
// that account's key. The limiter here records the keys it is asked for (the Redis one is tested
// in acme-call-limiter.int.test.ts); the CA is Pebble behind the ARI stand-in.
import { generateKeyPairSync } from 'node:crypto';
import { startPebble, type PebbleHandle } from '@gatehouse/e2e';
import * as acme from 'acme-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAcmeStandIn, type AcmeStandIn } from '../testing/acme-stand-in.js';
import { CertsError } from '../errors.js';
import { AcmeAccount } from './acme-account.js';
import { AcmeHttp } from './acme-http.js';

const newKeyPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('the call limiter key of ACME requests', () => {
  let pebble: PebbleHandle;
  let standIn: AcmeStandIn;
  const asked: string[] = [];
  let sent = 0;
  let http: AcmeHttp;

  beforeAll(async () => {
    pebble = await startPebble({ alwaysValid: true });
    standIn = await startAcmeStandIn(pebble);
    http = new AcmeHttp({
      extraCaPem: [pebble.caBundlePem, standIn.caPem].join('\n'),
      limiter: { acquire: (key) => (asked.push(key), Promise.resolve({ waitedMs: 0 })) },
      onRequest: () => sent++,
    });
  });

  afterAll(async () => {
    standIn?.close();
    await pebble?.stop();
  });

  it("counts every request of an account against its key: registration, directory, order, ARI, revoke", async () => {
    const account = new AcmeAccount({ http, directoryUrl: standIn.directoryUrl, callKey: 'account-1', accountKeyPem: newKeyPem(), pollMinMs: 100, pollMaxMs: 500 });
    await account.register();
    await account.directory();
    const [, csr] = await acme.crypto.createCsr({ altNames: ['keyed.example.test'] }, newKeyPem());
    const chain = await account.client.auto({ csr, challengePriority: ['http-01'], skipChallengeVerification: true, challengeCreateFn: async () => {}, challengeRemoveFn: async () => {} });
    expect(await account.renewalInfo('not-a-real-cert-id')).toBeUndefined();
    await account.revoke(chain);

    expect(standIn.renewalInfoRequests).toContain('not-a-real-cert-id');
    expect(sent).toBeGreaterThan(8);
    expect(asked).toHaveLength(sent);
    expect(new Set(asked)).toEqual(new Set(['account-1']));
  });

  it('sends no request without a call slot (the limiter cannot be reached)', async () => {
    const before = standIn.requests.length;
    const unlimited = new AcmeHttp({ extraCaPem: [pebble.caBundlePem, standIn.caPem].join('\n'), limiter: { acquire: () => Promise.reject(new Error('Connection is closed.')) } });
    const account = new AcmeAccount({ http: unlimited, directoryUrl: standIn.directoryUrl, callKey: 'account-2', accountKeyPem: newKeyPem() });
    await expect(account.directory()).rejects.toThrow(/^GH_CERTS_ACME_CALL_LIMITER_UNAVAILABLE: GET /);
    await expect(account.register()).rejects.toThrow(/^GH_CERTS_ACME_CALL_LIMITER_UNAVAILABLE: /);
    await expect(account.register()).rejects.toBeInstanceOf(CertsError);
    expect(standIn.requests.length).toBe(before);
  });

  it('counts a request made outside any account against its CA origin', async () => {
    asked.length = 0;
    await http.runObserved(() => new acme.Client({ directoryUrl: standIn.directoryUrl, accountKey: newKeyPem() }).getTermsOfServiceUrl());
    expect(asked).toEqual([`ca:${new URL(standIn.directoryUrl).origin}`]);
  });

  it('leaves requests outside every AcmeHttp alone: no extra trust, no slot, no observation', async () => {
    asked.length = 0;
    const before = sent;
    await expect(new acme.Client({ directoryUrl: standIn.directoryUrl, accountKey: newKeyPem() }).getTermsOfServiceUrl()).rejects.toThrow(/GH_CERTS_ACME_UNREACHABLE/);
    expect(asked).toEqual([]);
    expect(sent).toBe(before);
  });
});

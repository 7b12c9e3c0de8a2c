// Pebble as the certs service will use it: real ACME issuance through acme-client, with the challenge
// answered by pebble-challtestsrv, or skipped with alwaysValid; and External Account Binding enforced.
import { X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import * as acme from 'acme-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startPebble, type PebbleHandle } from './pebble.js';

function splitPems(chain: string): X509Certificate[] {
  return (chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

async function newClient(pebble: PebbleHandle, eab?: { kid: string; hmacKey: string }): Promise<acme.Client> {
  // acme-client talks through its own axios instance: trust the throwaway CA there.
  acme.axios.defaults.httpsAgent = new Agent({ ca: pebble.caBundlePem });
  return new acme.Client({
    directoryUrl: pebble.directoryUrl,
    accountKey: await acme.crypto.createPrivateEcdsaKey(),
    ...(eab ? { externalAccountBinding: eab } : {}),
  });
}

describe('Pebble issuance', () => {
  it('issues via HTTP-01 answered by challtestsrv, chained to the issuing root, with the configured validity', async () => {
    const pebble = await startPebble({ chaos: false, certificateValidityPeriod: 3600 });
    onTestFinished(() => pebble.stop());
    const client = await newClient(pebble);
    const [, csr] = await acme.crypto.createCsr({ commonName: 'app.example.test', altNames: ['app.example.test'] });
    const chain = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      skipChallengeVerification: true, // the local resolver cannot see challtestsrv's DNS; Pebble can
      challengeCreateFn: (_authz, challenge, keyAuthorization) => pebble.challenges.addHttp01(challenge.token, keyAuthorization),
      challengeRemoveFn: (_authz, challenge) => pebble.challenges.removeHttp01(challenge.token),
    });

    const [leaf, intermediate] = splitPems(chain);
    const root = new X509Certificate(pebble.issuingRootPem);
    expect(leaf?.subjectAltName).toBe('DNS:app.example.test');
    expect(intermediate && leaf?.checkIssued(intermediate)).toBe(true);
    expect(intermediate?.verify(root.publicKey)).toBe(true);
    const lifetimeSeconds = (Date.parse(leaf?.validTo ?? '') - Date.parse(leaf?.validFrom ?? '')) / 1000;
    expect(lifetimeSeconds).toBeGreaterThan(3000);
    expect(lifetimeSeconds).toBeLessThanOrEqual(3600);
  });

  it('issues a wildcard via DNS-01 with the TXT record served by challtestsrv', async () => {
    const pebble = await startPebble({ chaos: false });
    onTestFinished(() => pebble.stop());
    const client = await newClient(pebble);
    const [, csr] = await acme.crypto.createCsr({ commonName: '*.wild.example.test', altNames: ['*.wild.example.test'] });
    const chain = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      challengePriority: ['dns-01'],
      skipChallengeVerification: true,
      challengeCreateFn: (authz, _challenge, keyAuthorization) =>
        pebble.challenges.setTxt(`_acme-challenge.${authz.identifier.value}`, keyAuthorization),
      challengeRemoveFn: (authz) => pebble.challenges.clearTxt(`_acme-challenge.${authz.identifier.value}`),
    });
    expect(splitPems(chain)[0]?.subjectAltName).toBe('DNS:*.wild.example.test');
  });

  it('issues without any challenge responder when alwaysValid is set', async () => {
    const pebble = await startPebble({ chaos: false, alwaysValid: true });
    onTestFinished(() => pebble.stop());
    const client = await newClient(pebble);
    const [, csr] = await acme.crypto.createCsr({ commonName: 'nobody-answers.example.test' });
    const chain = await client.auto({
      csr,
      termsOfServiceAgreed: true,
      skipChallengeVerification: true,
      challengeCreateFn: async () => {},
      challengeRemoveFn: async () => {},
    });
    expect(splitPems(chain)[0]?.subjectAltName).toBe('DNS:nobody-answers.example.test');
  });

  it('requires External Account Binding when MAC keys are configured', async () => {
    const hmacKey = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
    const pebble = await startPebble({ chaos: false, externalAccountMacKeys: { 'kid-1': hmacKey } });
    onTestFinished(() => pebble.stop());
    await expect((await newClient(pebble)).createAccount({ termsOfServiceAgreed: true })).rejects.toThrow(/externalAccountBinding/);
    const account = await (await newClient(pebble, { kid: 'kid-1', hmacKey })).createAccount({ termsOfServiceAgreed: true });
    expect(account.status).toBe('valid');
  });
});

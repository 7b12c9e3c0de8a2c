// One ACME order from start to a verified certificate. Resumable: the order URL and the key are
// saved before the CA is asked for anything that depends on them, so a replica that dies half way
// leaves enough for the next one to finish the same order instead of placing another.
import type * as acme from 'acme-client';
import { crypto as acmeCrypto } from 'acme-client';
import { X509Certificate } from 'node:crypto';
import type { AcmeAccount } from '../adapters/acme-account.js';
import type { CertStore, IssuedCertificate, StoredState } from '../adapters/cert-store.js';
import type { Dns01Provider } from '../adapters/dns/dns01-provider.js';
import { waitForTxt, type PropagationOptions } from '../adapters/dns/propagation.js';
import { ariCertId } from '../core/ari-cert-id.js';
import { generatePrivateKey } from '../core/private-key.js';
import { certificateId, type Certificate, type Issuer, type Solver } from '../core/resources.js';
import { challengeTypeOf, selectSolver } from '../core/solver-select.js';
import { verifyIssued } from '../core/verify-issued.js';
import { CertsError } from '../errors.js';

export class OrderError extends CertsError {
  constructor(code: 'GH_CERTS_NO_SOLVER' | 'GH_CERTS_CHALLENGE_UNAVAILABLE' | 'GH_CERTS_AUTHORIZATION_FAILED' | 'GH_CERTS_ORDER_FAILED', detail: string) {
    super(code, detail);
    this.name = 'OrderError';
  }
}

export interface RunOrderDeps {
  readonly store: CertStore;
  readonly dnsProviderFor: (solver: Solver, issuer: Issuer) => Dns01Provider;
  readonly propagation: PropagationOptions;
  readonly trustedRoots: readonly X509Certificate[];
  readonly log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Test hook: called once the order exists and before challenges are answered. */
  readonly onOrderCreated?: (orderUrl: string) => void | Promise<void>;
}

export interface OrderResult extends IssuedCertificate {
  readonly resumed: boolean;
  readonly replacesAccepted: boolean;
}

interface PreparedChallenge {
  readonly authz: acme.Authorization;
  readonly challenge: { type: string; url: string; token: string; status: string };
  readonly keyAuthorization: string;
  readonly fqdn?: string;
  readonly provider?: Dns01Provider;
}

export async function runOrder(deps: RunOrderDeps, account: AcmeAccount, cert: Certificate, issuer: Issuer, state: StoredState | undefined): Promise<OrderResult> {
  const id = certificateId(cert);
  const client = account.client;
  await account.register();

  let order: acme.Order | undefined;
  let keyPem: string | undefined;
  let resumed = false;
  let replacesAccepted = false;
  if (state?.pendingOrderUrl) {
    keyPem = await deps.store.loadPendingKey(id);
    try {
      const existing = await client.getOrder({ url: state.pendingOrderUrl } as acme.Order);
      if (keyPem && existing.status !== 'invalid' && sameNames(existing, cert.dnsNames)) {
        order = existing;
        resumed = true;
        deps.log('resuming order', { certificate: id, order: existing.url, status: existing.status });
      }
    } catch (err) {
      deps.log('pending order is gone; placing a new one', { certificate: id, error: String(err) });
    }
  }

  if (!order || !keyPem) {
    keyPem = cert.privateKey.rotationPolicy === 'Never' && state?.keyRef ? await deps.store.loadKey(state.keyRef) : undefined;
    keyPem ??= await generatePrivateKey(cert.privateKey);
    await deps.store.savePendingKey(id, keyPem);
    const { profile, warning } = await account.profileToRequest(issuer.acme.profile);
    if (warning) deps.log(warning, { certificate: id });
    const directory = await account.directory();
    const replaces = directory.renewalInfo && state?.ariCertId ? state.ariCertId : undefined;
    const created = await account.createOrder(cert.dnsNames, { ...(profile ? { profile } : {}), ...(replaces ? { replaces } : {}) });
    order = created.order;
    replacesAccepted = created.replacesAccepted;
    await deps.store.patchState(id, { pendingOrderUrl: order.url });
    deps.log('order created', { certificate: id, order: order.url, replaces: replacesAccepted ? replaces : undefined });
  }
  await deps.onOrderCreated?.(order.url);

  if (order.status === 'pending') await authorize(deps, client, order, issuer);

  order = await client.getOrder(order);
  if (order.status === 'pending') order = await client.waitForValidStatus(order);
  if (order.status === 'ready') {
    const altNames = [...cert.dnsNames];
    const commonName = altNames.find((n) => n.length <= 64);
    const [, csr] = await acmeCrypto.createCsr({ altNames, ...(commonName ? { commonName } : {}) }, keyPem);
    order = await client.finalizeOrder(order, csr);
  }
  if (order.status === 'invalid') throw new OrderError('GH_CERTS_ORDER_FAILED', `order ${order.url} became invalid`);
  const chainPem = await client.getCertificate(order);
  const verified = verifyIssued({ chainPem, keyPem, dnsNames: cert.dnsNames, trustedRoots: deps.trustedRoots, now: Date.now() });
  let certId: string | undefined;
  try {
    certId = ariCertId(verified.leaf.raw);
  } catch {
    certId = undefined; // no AKI: the certificate simply cannot use ARI
  }
  return {
    chainPem,
    keyPem,
    notBefore: verified.notBefore,
    notAfter: verified.notAfter,
    dnsNames: cert.dnsNames,
    orderUrl: order.url,
    resumed,
    replacesAccepted,
    ...(certId ? { ariCertId: certId } : {}),
  };
}

function sameNames(order: acme.Order, dnsNames: readonly string[]): boolean {
  const have = new Set(order.identifiers.map((i) => i.value.toLowerCase()));
  return have.size === dnsNames.length && dnsNames.every((n) => have.has(n));
}

/**
 * Answers every pending authorization: all challenges are presented first, DNS records are
 * checked for propagation, then the CA is told to validate them all, and finally everything
 * presented is cleaned up (an apex and its wildcard share one _acme-challenge name, so records are
 * only removed after both validated).
 */
async function authorize(deps: RunOrderDeps, client: acme.Client, order: acme.Order, issuer: Issuer): Promise<void> {
  const authorizations = await client.getAuthorizations(order);
  const prepared: PreparedChallenge[] = [];
  for (const authz of authorizations) {
    if (authz.status === 'valid') continue; // reused authorization (Pebble does this half the time)
    if (authz.status !== 'pending') {
      throw new OrderError('GH_CERTS_AUTHORIZATION_FAILED', `authorization for ${authz.identifier.value} is ${authz.status}`);
    }
    const name = authz.wildcard ? `*.${authz.identifier.value}` : authz.identifier.value;
    const solver = selectSolver(issuer.acme.solvers, name);
    if (!solver) throw new OrderError('GH_CERTS_NO_SOLVER', `no solver of issuer ${issuer.name} can prove ${name}${name.startsWith('*.') ? ' (wildcards need dns01)' : ''}`);
    const type = challengeTypeOf(solver);
    const challenge = authz.challenges.find((c) => c.type === type) as PreparedChallenge['challenge'] | undefined;
    if (!challenge) throw new OrderError('GH_CERTS_CHALLENGE_UNAVAILABLE', `the CA offers no ${type} challenge for ${name}`);
    const keyAuthorization = await client.getChallengeKeyAuthorization(challenge as never);
    if (type === 'http-01') prepared.push({ authz, challenge, keyAuthorization });
    else prepared.push({ authz, challenge, keyAuthorization, fqdn: `_acme-challenge.${authz.identifier.value}`, provider: deps.dnsProviderFor(solver, issuer) });
  }
  try {
    for (const p of prepared) {
      if (p.provider && p.fqdn) await p.provider.present(p.fqdn, p.keyAuthorization);
      else await deps.store.putHttp01(p.challenge.token, p.keyAuthorization);
    }
    await Promise.all(prepared.filter((p) => p.fqdn).map((p) => waitForTxt(p.fqdn as string, p.keyAuthorization, deps.propagation)));
    for (const p of prepared) {
      if (p.challenge.status === 'pending') await client.completeChallenge(p.challenge as never);
    }
    await Promise.all(
      prepared.map(async (p) => {
        try {
          await client.waitForValidStatus(p.authz);
        } catch (err) {
          throw new OrderError('GH_CERTS_AUTHORIZATION_FAILED', `${p.challenge.type} for ${p.authz.identifier.value}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
  } finally {
    for (const p of prepared) {
      try {
        if (p.provider && p.fqdn) await p.provider.cleanup(p.fqdn, p.keyAuthorization);
        else await deps.store.deleteHttp01(p.challenge.token);
      } catch (err) {
        deps.log('challenge cleanup failed', { name: p.authz.identifier.value, error: String(err) });
      }
    }
  }
}

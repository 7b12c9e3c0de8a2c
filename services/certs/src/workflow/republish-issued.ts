// At start, every issued certificate the store holds is announced again (gatehouse.v1.CertificateIssued,
// sealed with the control key), so xds serves sealed announcements after an upgrade from a version that
// published them unsealed (xds refuses those), and after the latest hash was emptied or replaced. What is
// announced is checked first as at issuance (the key opens and matches, the chain verifies and covers the
// names, valid now): the state hash is in Redis, and a republish must not seal what a Redis writer put
// there. Announcing the same revision again changes nothing on an xds replica that already serves it.
import { certificateIssuedMessage, type IssuedPublisher } from '../adapters/issued-publisher.js';
import type { X509Certificate } from 'node:crypto';
import type { CertStore } from '../adapters/cert-store.js';
import type { Certificate } from '../core/resources.js';
import { verifyIssued } from '../core/verify-issued.js';

export interface RepublishOptions {
  readonly store: CertStore;
  readonly publisher: IssuedPublisher;
  /** The managed certificates (config files and CertificateWanted), by "<namespace>/<name>". */
  readonly certificates: ReadonlyMap<string, Certificate>;
  readonly trustedRoots: readonly X509Certificate[];
  readonly now: number;
}

export interface RepublishReport {
  readonly republished: string[];
  /** Stored certificates not announced, and why (a missing key, a mismatch, expired...). */
  readonly skipped: Array<{ id: string; reason: string }>;
}

export async function republishIssued(options: RepublishOptions): Promise<RepublishReport> {
  const report: RepublishReport = { republished: [], skipped: [] };
  const states = await options.store.getStates([...options.certificates.keys()]);
  for (const [id, state] of states) {
    const cert = options.certificates.get(id)!;
    if (!state.chainPem || !state.keyRef || !state.revision) continue;
    try {
      const keyPem = await options.store.loadKey(state.keyRef);
      if (!keyPem) throw new Error(`private key ${state.keyRef} is gone`);
      const dnsNames = state.dnsNames ?? cert.dnsNames;
      const verified = verifyIssued({ chainPem: state.chainPem, keyPem, dnsNames, trustedRoots: options.trustedRoots, now: options.now });
      await options.publisher.publish(
        certificateIssuedMessage(cert, { chainPem: state.chainPem, keyRef: state.keyRef, notBefore: verified.notBefore, notAfter: verified.notAfter, revision: state.revision, dnsNames }),
      );
      report.republished.push(id);
    } catch (err) {
      report.skipped.push({ id, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return report;
}

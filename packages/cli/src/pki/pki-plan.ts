// What `gatehouse pki init` must do with each certificate of a folder: keep it, or issue it (missing,
// from another CA, its key lost or not its own, a name it must answer to missing, or near its end).
// Decided from file contents alone.
import { describeCertificate, importPrivateKeyPem, isSignedBy, keyMatchesCertificate, parseCertificatePem } from '@gatehouse/pki';

/** Renew when less than this much of a certificate's life is left (30 days of the default 90). */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

export type CertificateState =
  | { readonly state: 'ok'; readonly notAfter: Date }
  | { readonly state: 'missing' | 'expiring' | 'foreign' | 'key-mismatch' | 'names-changed' | 'unreadable'; readonly notAfter?: Date };

export async function certificateState(certPem: string | undefined, keyPem: string | undefined, caPem: string, now: Date, wantedDnsNames: readonly string[] = []): Promise<CertificateState> {
  if (certPem === undefined || keyPem === undefined) return { state: 'missing' };
  let notAfter: Date;
  let dnsNames: readonly string[];
  try {
    ({ notAfter, dnsNames } = await describeCertificate(certPem));
    if (!(await isSignedBy(certPem, caPem))) return { state: 'foreign', notAfter };
    if (!(await keyMatchesCertificate(await importPrivateKeyPem(keyPem), parseCertificatePem(certPem)))) return { state: 'key-mismatch', notAfter };
  } catch {
    return { state: 'unreadable' };
  }
  // e.g. init run again with --k8s-namespace: the service must answer to its Kubernetes names too.
  if (wantedDnsNames.some((name) => !dnsNames.includes(name))) return { state: 'names-changed', notAfter };
  if (notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) return { state: 'expiring', notAfter };
  return { state: 'ok', notAfter };
}

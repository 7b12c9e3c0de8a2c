// What `gatehouse pki init` must do with each certificate of a folder: keep it, or issue it (missing,
// from another CA, its key lost or not its own, or near its end). Decided from file contents alone.
import { describeCertificate, importPrivateKeyPem, isSignedBy, keyMatchesCertificate, parseCertificatePem } from '@gatehouse/pki';

/** Renew when less than this much of a certificate's life is left (30 days of the default 90). */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

export type CertificateState =
  | { readonly state: 'ok'; readonly notAfter: Date }
  | { readonly state: 'missing' | 'expiring' | 'foreign' | 'key-mismatch' | 'unreadable'; readonly notAfter?: Date };

export async function certificateState(certPem: string | undefined, keyPem: string | undefined, caPem: string, now: Date): Promise<CertificateState> {
  if (certPem === undefined || keyPem === undefined) return { state: 'missing' };
  let notAfter: Date;
  try {
    notAfter = (await describeCertificate(certPem)).notAfter;
    if (!(await isSignedBy(certPem, caPem))) return { state: 'foreign', notAfter };
    if (!(await keyMatchesCertificate(await importPrivateKeyPem(keyPem), parseCertificatePem(certPem)))) return { state: 'key-mismatch', notAfter };
  } catch {
    return { state: 'unreadable' };
  }
  if (notAfter.getTime() - now.getTime() < RENEW_BEFORE_MS) return { state: 'expiring', notAfter };
  return { state: 'ok', notAfter };
}

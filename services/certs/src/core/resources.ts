// The cert-manager resources the service manages, in the plain shape the rest of the code uses.
// cert-manager YAML (cert-manager.io/v1 Issuer, ClusterIssuer, Certificate, plus v1 Secret for the
// EAB / TSIG / account secrets they reference) is read by resource-model.ts into these types.

export type IssuerKind = 'Issuer' | 'ClusterIssuer';

export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

export interface SolverSelector {
  readonly dnsNames?: readonly string[];
  readonly dnsZones?: readonly string[];
}

export interface Rfc2136Config {
  /** host:port of the authoritative server accepting DNS UPDATE. */
  readonly nameserver: string;
  readonly tsigKeyName?: string;
  /** HMACSHA256 (default), HMACSHA384, HMACSHA512, HMACSHA1, HMACMD5. */
  readonly tsigAlgorithm?: string;
  readonly tsigSecretSecretRef?: SecretKeyRef;
}

export interface WebhookConfig {
  readonly groupName: string;
  readonly solverName: string;
  /** Free-form per cert-manager; Gatehouse reads presentUrl, cleanupUrl and headers from it. */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface Solver {
  readonly selector?: SolverSelector;
  readonly http01?: Readonly<Record<string, unknown>>;
  readonly dns01?: { readonly rfc2136?: Rfc2136Config; readonly webhook?: WebhookConfig };
}

export interface ExternalAccountBinding {
  readonly keyID: string;
  readonly keySecretRef: SecretKeyRef;
}

export interface AcmeIssuerConfig {
  readonly server: string;
  readonly email?: string;
  /** Names where the ACME account key lives (in Redis, see the store). */
  readonly privateKeySecretRef: string;
  readonly externalAccountBinding?: ExternalAccountBinding;
  readonly profile?: string;
  /** spec.acme.caBundle, decoded: extra CAs to trust for this ACME server's TLS. */
  readonly caBundlePem?: string;
  readonly solvers: readonly Solver[];
}

export interface Issuer {
  readonly kind: IssuerKind;
  /** '' for a ClusterIssuer. */
  readonly namespace: string;
  readonly name: string;
  readonly acme: AcmeIssuerConfig;
}

export type KeyAlgorithm = 'ECDSA' | 'RSA';

export interface PrivateKeySpec {
  readonly algorithm: KeyAlgorithm;
  /** RSA bits (2048, 3072, 4096) or ECDSA curve size (256, 384). */
  readonly size: number;
  /** Always (default, a new key per certificate) or Never (keep the key across renewals). */
  readonly rotationPolicy: 'Always' | 'Never';
}

export interface IssuerRef {
  readonly name: string;
  readonly kind: IssuerKind;
  readonly group: string;
}

export interface Certificate {
  readonly namespace: string;
  readonly name: string;
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly issuerRef: IssuerRef;
  readonly privateKey: PrivateKeySpec;
  readonly durationMs?: number;
  readonly renewBeforeMs?: number;
  readonly renewBeforePercentage?: number;
  /** Where the Certificate came from: "file:<path>" or the CertificateWanted source. */
  readonly source: string;
}

export interface Secret {
  readonly namespace: string;
  readonly name: string;
  readonly data: Readonly<Record<string, Buffer>>;
}

export const DEFAULT_PRIVATE_KEY: PrivateKeySpec = { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' };

export function certificateId(cert: { namespace: string; name: string }): string {
  return `${cert.namespace}/${cert.name}`;
}

/** The issuer a certificate refers to: an Issuer is looked up in the certificate's namespace. */
export function issuerIdForCertificate(cert: Certificate): string {
  return cert.issuerRef.kind === 'ClusterIssuer'
    ? `ClusterIssuer/${cert.issuerRef.name}`
    : `Issuer/${cert.namespace}/${cert.issuerRef.name}`;
}

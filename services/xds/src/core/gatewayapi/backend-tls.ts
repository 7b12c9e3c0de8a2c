// Backend `tls` -> UpstreamTlsIR, the way Envoy Gateway reads it: CA certificates from ConfigMaps or
// Secrets (key ca.crt) in the Backend's namespace, or the system trust store
// (wellKnownCACertificates: System); the SNI, also required of the upstream certificate's DNS SAN; TLS
// versions, ciphers, curves, signature algorithms, ALPN; a client certificate (a kubernetes.io/tls
// Secret, another namespace with a ReferenceGrant) served over SDS. Without any CA source nor an
// explicit insecureSkipVerify the upstream could not be verified, so it is refused, not sent unverified.
import type { TlsSecretIR, UpstreamTlsIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { CORE_GROUP, type ResourceIndex } from './resource-index.js';
import { describeCertificateProblem, parseCertificates, readTlsSecretKey } from './tls-certificates.js';

export interface ObjectRefSpec {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface BackendTlsSpec {
  caCertificateRefs?: ObjectRefSpec[];
  wellKnownCACertificates?: string;
  insecureSkipVerify?: boolean;
  sni?: string;
  autoSNIFromEndpointHostname?: boolean;
  alpnProtocols?: string[];
  minVersion?: string;
  maxVersion?: string;
  ciphers?: string[];
  ecdhCurves?: string[];
  signatureAlgorithms?: string[];
  clientCertificateRef?: ObjectRefSpec;
  fingerprints?: unknown[];
}

/** Upstream TLS that verifies the peer against `subjectAltNames` (and `trustedCa`, when known yet), with Envoy's default parameters. */
export function verifiedUpstreamTls(subjectAltNames: UpstreamTlsIR['subjectAltNames'], sni?: string, trustedCa?: UpstreamTlsIR['trustedCa']): UpstreamTlsIR {
  return {
    ...(sni ? { sni } : {}),
    ...(trustedCa ? { trustedCa } : {}),
    subjectAltNames,
    insecureSkipVerify: false,
    alpnProtocols: [],
    ciphers: [],
    ecdhCurves: [],
    signatureAlgorithms: [],
    clientCertificates: [],
  };
}

export type BackendTlsOutcome = { ok: true; tls: UpstreamTlsIR; secrets: TlsSecretIR[] } | { ok: false; message: string };

/** `policyVerifies`: a BackendTLSPolicy supplies the CA (backend-tls-policy.ts), so the Backend need not name one. */
export function resolveBackendTls(backend: GatewayResource, spec: BackendTlsSpec, index: ResourceIndex, policyVerifies = false): BackendTlsOutcome {
  const namespace = backend.metadata.namespace;
  if (spec.autoSNIFromEndpointHostname) return { ok: false, message: 'tls.autoSNIFromEndpointHostname is not supported yet; set tls.sni' };
  if (spec.fingerprints && spec.fingerprints.length > 0) return { ok: false, message: 'tls.fingerprints is not supported yet' };
  const tls: UpstreamTlsIR = {
    ...(spec.sni ? { sni: spec.sni } : {}),
    subjectAltNames: spec.sni ? [{ type: 'DNS', value: spec.sni }] : [],
    insecureSkipVerify: spec.insecureSkipVerify === true,
    alpnProtocols: spec.alpnProtocols ?? [],
    ...(spec.minVersion ? { minVersion: spec.minVersion } : {}),
    ...(spec.maxVersion ? { maxVersion: spec.maxVersion } : {}),
    ciphers: spec.ciphers ?? [],
    ecdhCurves: spec.ecdhCurves ?? [],
    signatureAlgorithms: spec.signatureAlgorithms ?? [],
    clientCertificates: [],
  };
  const refs = spec.caCertificateRefs ?? [];
  if (spec.wellKnownCACertificates === 'System') tls.trustedCa = { kind: 'system' };
  else if (spec.wellKnownCACertificates) return { ok: false, message: `tls.wellKnownCACertificates ${spec.wellKnownCACertificates} is not supported; use System` };
  else if (refs.length > 0) {
    const pems: string[] = [];
    for (const ref of refs) {
      const found = readCaCertificates(ref, namespace, index);
      if (!found.ok) return found;
      pems.push(found.pem);
    }
    tls.trustedCa = { kind: 'inline', pem: pems.join('') };
  } else if (!tls.insecureSkipVerify && !policyVerifies) {
    return { ok: false, message: 'tls needs caCertificateRefs or wellKnownCACertificates to verify the upstream (or an explicit insecureSkipVerify: true)' };
  }

  const secrets: TlsSecretIR[] = [];
  if (spec.clientCertificateRef) {
    const ref = spec.clientCertificateRef;
    const refNamespace = ref.namespace ?? namespace;
    if ((ref.group ?? CORE_GROUP) !== CORE_GROUP || (ref.kind ?? 'Secret') !== 'Secret') return { ok: false, message: `tls.clientCertificateRef: kind ${ref.kind} is not supported; use a Secret` };
    const allowed = index.isReferenceAllowed(
      { group: 'gateway.envoyproxy.io', kind: 'Backend', namespace },
      { group: CORE_GROUP, kind: 'Secret', namespace: refNamespace, name: ref.name },
    );
    if (!allowed) return { ok: false, message: `tls.clientCertificateRef: Secret ${refNamespace}/${ref.name} is in another namespace and no ReferenceGrant allows it` };
    const secret = index.get('Secret', refNamespace, ref.name);
    if (!secret || secret.issues?.length) return { ok: false, message: `tls.clientCertificateRef: Secret ${refNamespace}/${ref.name} does not exist or is invalid` };
    const certificateChain = readTlsSecretKey(secret, 'tls.crt');
    const privateKey = readTlsSecretKey(secret, 'tls.key');
    const problem = describeCertificateProblem(certificateChain, privateKey);
    if (problem) return { ok: false, message: `tls.clientCertificateRef: Secret ${refNamespace}/${ref.name}: ${problem}` };
    const name = `${refNamespace}/${ref.name}`;
    tls.clientCertificates.push(name);
    secrets.push({ name, certificateChain, privateKey });
  }
  return { ok: true, tls, secrets };
}

export function readCaCertificates(ref: ObjectRefSpec, namespace: string, index: ResourceIndex): { ok: true; pem: string } | { ok: false; message: string } {
  const kind = ref.kind ?? 'ConfigMap';
  if ((ref.group ?? CORE_GROUP) !== CORE_GROUP || (kind !== 'ConfigMap' && kind !== 'Secret')) {
    return { ok: false, message: `tls.caCertificateRefs: kind ${ref.group ? `${ref.group}/` : ''}${kind} is not supported; use a ConfigMap or a Secret` };
  }
  const source = index.get(kind, namespace, ref.name);
  if (!source || source.issues?.length) return { ok: false, message: `tls.caCertificateRefs: ${kind} ${namespace}/${ref.name} does not exist or is invalid` };
  const raw = kind === 'ConfigMap' ? ((source as { data?: Record<string, string> }).data?.['ca.crt'] ?? '') : (source.stringData?.['ca.crt'] ?? Buffer.from(source.data?.['ca.crt'] ?? '', 'base64').toString('utf8'));
  // Envoy refuses the whole cluster for a CA that does not parse: check it here.
  const parsed = parseCertificates(raw, 'ca.crt');
  if (!parsed.ok) return { ok: false, message: `tls.caCertificateRefs: ${kind} ${namespace}/${ref.name}: ${parsed.problem}` };
  return { ok: true, pem: parsed.pems.map((b) => `${b}\n`).join('') };
}

// ClientTrafficPolicy tls.clientValidation -> ClientValidationIR: the mode, the CA bundle and CRLs
// read from the Secrets it references (key ca.crt, ca.crl; another namespace needs a ReferenceGrant),
// pinned hashes and subject alternative names. A reference that does not resolve refuses the policy:
// a listener must never accept client certificates it was told to verify but cannot.
import type { ClientValidationIR } from '../ir/types.js';
import type { PolicyValues } from './policy-values.js';
import { CORE_GROUP, ENVOY_GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';

interface SecretRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

type SanMatch = { type?: 'Exact' | 'Prefix' | 'Suffix' | 'RegularExpression'; value: string; oid?: string };

export interface ClientValidationSpec {
  mode?: 'Request' | 'RequireAny' | 'VerifyIfGiven' | 'RequireAndVerify';
  optional?: boolean;
  caCertificateRefs?: SecretRef[];
  spkiHashes?: string[];
  certificateHashes?: string[];
  allowExpiredCertificate?: boolean;
  subjectAltNames?: { dnsNames?: SanMatch[]; emailAddresses?: SanMatch[]; ipAddresses?: SanMatch[]; uris?: SanMatch[]; otherNames?: SanMatch[] };
  crl?: { refs?: SecretRef[]; onlyVerifyLeafCertificate?: boolean };
}

const SAN_TYPES = { dnsNames: 'DNS', emailAddresses: 'EMAIL', ipAddresses: 'IP_ADDRESS', uris: 'URI', otherNames: 'OTHER_NAME' } as const;

export function translateClientValidation(spec: ClientValidationSpec, policyNamespace: string, index: ResourceIndex, values: PolicyValues): ClientValidationIR | undefined {
  const at = 'spec.tls.clientValidation';
  // The deprecated `optional: true` is VerifyIfGiven.
  const mode = spec.mode ?? (spec.optional ? 'VerifyIfGiven' : 'RequireAndVerify');
  const ir: ClientValidationIR = { requireCertificate: mode === 'RequireAndVerify' || mode === 'RequireAny', acceptUntrusted: mode === 'Request' || mode === 'RequireAny' };
  const cas = readPems(spec.caCertificateRefs ?? [], 'ca.crt', 'CERTIFICATE', `${at}.caCertificateRefs`, policyNamespace, index, values);
  if (cas) ir.trustedCa = cas;
  else if (!ir.acceptUntrusted && !spec.spkiHashes?.length && !spec.certificateHashes?.length) {
    values.problems.push(`${at}.caCertificateRefs: mode ${mode} verifies client certificates, so it needs a CA (or pinned hashes)`);
  }
  if (spec.spkiHashes?.length) ir.spkiHashes = [...spec.spkiHashes];
  if (spec.certificateHashes?.length) ir.certificateHashes = [...spec.certificateHashes];
  if (spec.allowExpiredCertificate !== undefined) ir.allowExpired = spec.allowExpiredCertificate;
  const sans: NonNullable<ClientValidationIR['subjectAltNames']> = [];
  for (const [field, sanType] of Object.entries(SAN_TYPES) as Array<[keyof typeof SAN_TYPES, (typeof SAN_TYPES)[keyof typeof SAN_TYPES]]>) {
    for (const match of spec.subjectAltNames?.[field] ?? []) {
      sans.push({ sanType, match: { type: match.type ?? 'Exact', value: match.value }, ...(match.oid ? { oid: match.oid } : {}) });
    }
  }
  if (sans.length > 0) ir.subjectAltNames = sans;
  if (spec.crl) {
    const crl = readPems(spec.crl.refs ?? [], 'ca.crl', 'X509 CRL', `${at}.crl.refs`, policyNamespace, index, values);
    if (crl) ir.crl = crl;
    if (spec.crl.onlyVerifyLeafCertificate !== undefined) ir.onlyVerifyLeafCrl = spec.crl.onlyVerifyLeafCertificate;
  }
  return ir;
}

/** The PEM blocks under `key` of every referenced Secret, joined; problems for the rest. */
function readPems(refs: SecretRef[], key: string, block: string, at: string, policyNamespace: string, index: ResourceIndex, values: PolicyValues): string | undefined {
  const pems: string[] = [];
  refs.forEach((ref, i) => {
    const path = `${at}[${i}]`;
    const kind = ref.kind ?? 'Secret';
    const namespace = ref.namespace ?? policyNamespace;
    // Envoy Gateway takes these PEMs from a Secret or a ConfigMap (its data is plain text, a Secret's base64).
    if ((ref.group ?? CORE_GROUP) !== CORE_GROUP || (kind !== 'Secret' && kind !== 'ConfigMap')) {
      values.problems.push(`${path}: ${kind} is not supported here; put ${key} in a Secret or a ConfigMap`);
      return;
    }
    const allowed = index.isReferenceAllowed({ group: ENVOY_GATEWAY_GROUP, kind: 'ClientTrafficPolicy', namespace: policyNamespace }, { group: CORE_GROUP, kind, namespace, name: ref.name });
    if (!allowed) {
      values.problems.push(`${path}: ${kind} ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`);
      return;
    }
    const source = index.get(kind, namespace, ref.name);
    const text = !source || source.issues?.length
      ? undefined
      : kind === 'ConfigMap'
        ? (source as { data?: Record<string, string> }).data?.[key]
        : (source.stringData?.[key] ?? (source.data?.[key] ? Buffer.from(source.data[key], 'base64').toString('utf8') : undefined));
    if (!source) values.problems.push(`${path}: ${kind} ${namespace}/${ref.name} does not exist`);
    else if (typeof text !== 'string' || !text.includes(`-----BEGIN ${block}-----`)) values.problems.push(`${path}: ${kind} ${namespace}/${ref.name} has no PEM ${block} under ${key}`);
    else pems.push(text.trim());
  });
  return pems.length > 0 ? `${pems.join('\n')}\n` : undefined;
}

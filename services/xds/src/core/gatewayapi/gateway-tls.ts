// Gateway `spec.tls` (Gateway API v1.6): `frontend` validates client certificates on the Gateway's
// HTTPS listeners (the `perPort` entry of a listener's port, else `default`), `backend` is the client
// certificate the Gateway presents to upstreams that speak TLS. Status as the spec words it:
// - a CA ref that does not resolve or does not parse: listener ResolvedRefs=False InvalidCACertificateRef;
//   a kind other than ConfigMap/Secret: InvalidCACertificateKind; another namespace without a
//   ReferenceGrant: RefNotPermitted. The valid refs still apply. When none is valid the listener is
//   Accepted=False NoValidCACertificate and is not served: never without the validation it asked for.
// - mode AllowInsecureFallback (a certificate is asked for, but one that is missing or does not
//   verify is accepted): the Gateway gets InsecureFrontendValidationMode=True ConfigurationChanged.
// - backend.clientCertificateRef that does not resolve: Gateway ResolvedRefs=False
//   InvalidClientCertificateRef (RefNotPermitted across namespaces without a grant); upstreams then
//   get no client certificate from the Gateway.
import type { ClientValidationIR, ClusterIR, TlsSecretIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import { CORE_GROUP, GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import type { Condition } from './status-types.js';
import { describeCertificateProblem, parseCertificates, readTlsSecretKey } from './tls-certificates.js';

interface ObjectRef {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}
interface Validation {
  caCertificateRefs?: ObjectRef[];
  mode?: 'AllowValidOnly' | 'AllowInsecureFallback';
}
export interface GatewayTlsSpec {
  frontend?: { default?: { validation?: Validation }; perPort?: Array<{ port: number; tls?: { validation?: Validation } }> };
  backend?: { clientCertificateRef?: ObjectRef };
}

/** What this module needs of gateways.ts's GatewayContext (kept here: gateways.ts imports this file). */
interface GatewayContext {
  resource: GatewayResource;
  namespace: string;
  listeners: Array<{ protocol: string; port: number; ready: boolean; status: { conditions: Condition[] }; frontendValidation?: ClientValidationIR }>;
  conditions?: Condition[];
  backendClientCertificate?: TlsSecretIR;
}

const INVALID_CA_KIND = 'InvalidCACertificateKind';
const INVALID_CLIENT_CERTIFICATE = 'InvalidClientCertificateRef';

/** The validation a listener's port gets: its perPort entry, else the default. */
function validationFor(spec: GatewayTlsSpec, port: number): { validation: Validation; at: string } | undefined {
  const perPort = spec.frontend?.perPort ?? [];
  const i = perPort.findIndex((entry) => entry.port === port);
  if (i >= 0) return perPort[i]!.tls?.validation ? { validation: perPort[i]!.tls!.validation!, at: `spec.tls.frontend.perPort[${i}].tls.validation` } : undefined;
  const fallback = spec.frontend?.default?.validation;
  return fallback ? { validation: fallback, at: 'spec.tls.frontend.default.validation' } : undefined;
}

export function applyFrontendTls(gateway: GatewayContext, index: ResourceIndex): void {
  const spec = (gateway.resource.spec as { tls?: GatewayTlsSpec } | undefined)?.tls;
  if (!spec?.frontend) return;
  let insecure = false;
  for (const listener of gateway.listeners) {
    if (listener.protocol !== 'HTTPS') continue;
    const found = validationFor(spec, listener.port);
    if (!found || (found.validation.caCertificateRefs ?? []).length === 0) continue;
    const problems: Array<{ reason: string; message: string }> = [];
    const pems: string[] = [];
    for (const [i, ref] of (found.validation.caCertificateRefs ?? []).entries()) {
      const read = readCa(ref, gateway, index);
      if (read.ok) pems.push(read.pem);
      else problems.push({ reason: read.reason, message: `${found.at}.caCertificateRefs[${i}]: ${read.message}` });
    }
    const conditions = listener.status.conditions;
    if (problems.length > 0) {
      replaceCondition(conditions, conditionFalse('ResolvedRefs', problems[0]!.reason, problems.map((p) => p.message).join('; ')));
    }
    if (pems.length === 0) {
      replaceCondition(conditions, conditionFalse('Accepted', Reasons.noValidCaCertificate, `No valid CA certificate for client certificate validation: ${problems.map((p) => p.message).join('; ')}`));
      listener.ready = false;
      continue;
    }
    const fallback = found.validation.mode === 'AllowInsecureFallback';
    insecure ||= fallback;
    listener.frontendValidation = { requireCertificate: !fallback, acceptUntrusted: fallback, trustedCa: pems.join('') };
  }
  if (insecure) {
    (gateway.conditions ??= []).push(
      conditionTrue('InsecureFrontendValidationMode', 'ConfigurationChanged', 'Validation mode AllowInsecureFallback is set for at least one listener: clients without a valid certificate are accepted'),
    );
  }
}

/** spec.tls.backend.clientCertificateRef, resolved; a problem becomes the Gateway's ResolvedRefs=False. */
export function resolveBackendClientCertificate(gateway: GatewayContext, index: ResourceIndex): TlsSecretIR | undefined {
  const ref = (gateway.resource.spec as { tls?: GatewayTlsSpec } | undefined)?.tls?.backend?.clientCertificateRef;
  if (!ref) return undefined;
  const namespace = ref.namespace ?? gateway.namespace;
  const fail = (reason: string, message: string): undefined => {
    (gateway.conditions ??= []).push(conditionFalse('ResolvedRefs', reason, `spec.tls.backend.clientCertificateRef: ${message}`));
    return undefined;
  };
  if ((ref.group ?? CORE_GROUP) !== CORE_GROUP || (ref.kind ?? 'Secret') !== 'Secret') return fail(INVALID_CLIENT_CERTIFICATE, `kind ${ref.group ? `${ref.group}/` : ''}${ref.kind} is not supported; use a Secret`);
  if (!index.isReferenceAllowed({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace }, { group: CORE_GROUP, kind: 'Secret', namespace, name: ref.name })) {
    return fail(Reasons.refNotPermitted, `Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`);
  }
  const secret = index.get('Secret', namespace, ref.name);
  if (!secret) return fail(INVALID_CLIENT_CERTIFICATE, `Secret ${namespace}/${ref.name} does not exist`);
  if (secret.issues?.length) return fail(INVALID_CLIENT_CERTIFICATE, `Secret ${namespace}/${ref.name} is invalid: ${describeIssues(secret.issues)}`);
  const certificateChain = readTlsSecretKey(secret, 'tls.crt');
  const privateKey = readTlsSecretKey(secret, 'tls.key');
  const problem = describeCertificateProblem(certificateChain, privateKey);
  if (problem) return fail(INVALID_CLIENT_CERTIFICATE, `Secret ${namespace}/${ref.name}: ${problem}`);
  (gateway.conditions ??= []).push(conditionTrue('ResolvedRefs', Reasons.resolvedRefs, 'spec.tls.backend.clientCertificateRef resolved'));
  return { name: `${namespace}/${ref.name}`, certificateChain, privateKey };
}

function readCa(ref: ObjectRef, gateway: GatewayContext, index: ResourceIndex): { ok: true; pem: string } | { ok: false; reason: string; message: string } {
  const group = ref.group ?? CORE_GROUP;
  const kind = ref.kind ?? 'ConfigMap';
  if (group !== CORE_GROUP || (kind !== 'ConfigMap' && kind !== 'Secret')) {
    return { ok: false, reason: INVALID_CA_KIND, message: `kind ${group ? `${group}/` : ''}${kind} is not supported; use a ConfigMap or a Secret` };
  }
  const namespace = ref.namespace ?? gateway.namespace;
  if (!index.isReferenceAllowed({ group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace }, { group: CORE_GROUP, kind, namespace, name: ref.name })) {
    return { ok: false, reason: Reasons.refNotPermitted, message: `${kind} ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it` };
  }
  const source = index.get(kind, namespace, ref.name);
  if (!source || source.issues?.length) return { ok: false, reason: Reasons.invalidCaCertificateRef, message: `${kind} ${namespace}/${ref.name} does not exist or is invalid` };
  const raw = kind === 'ConfigMap' ? ((source as { data?: Record<string, string> }).data?.['ca.crt'] ?? '') : (source.stringData?.['ca.crt'] ?? Buffer.from(source.data?.['ca.crt'] ?? '', 'base64').toString('utf8'));
  const parsed = parseCertificates(raw, 'ca.crt');
  if (!parsed.ok) return { ok: false, reason: Reasons.invalidCaCertificateRef, message: `${kind} ${namespace}/${ref.name}: ${parsed.problem}` };
  return { ok: true, pem: parsed.pems.map((block) => `${block}\n`).join('') };
}

function replaceCondition(conditions: Condition[], condition: Condition): void {
  const i = conditions.findIndex((c) => c.type === condition.type);
  if (i < 0) conditions.push(condition);
  // A listener already unresolved (its certificate) keeps that first reason; the message gains ours.
  else if (conditions[i]!.status === 'False' && condition.type === 'ResolvedRefs') conditions[i] = { ...conditions[i]!, message: `${conditions[i]!.message}; ${condition.message}` };
  else conditions[i] = condition;
}

interface Clusters {
  list(): ClusterIR[];
  addSecret(secret: TlsSecretIR): void;
}

/** Every TLS upstream of the Gateway presents its backend client certificate, unless its Backend names its own. */
export function presentBackendClientCertificate(gateway: GatewayContext, registry: Clusters): void {
  const secret = gateway.backendClientCertificate;
  if (!secret) return;
  let used = false;
  for (const cluster of registry.list()) {
    if (!cluster.tls || cluster.tls.clientCertificates.length > 0) continue;
    cluster.tls = { ...cluster.tls, clientCertificates: [secret.name] };
    used = true;
  }
  if (used) registry.addSecret(secret);
}

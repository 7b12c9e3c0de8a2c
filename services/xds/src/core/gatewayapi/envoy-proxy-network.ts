// EnvoyProxy fields about how the Envoy reaches the network, as Envoy Gateway applies them:
// - `ipFamily`: IPv4 listeners bind 0.0.0.0, IPv6 "::", DualStack "::" accepting IPv4 too (ipv4_compat);
//   DNS clusters resolve V4_ONLY, V6_ONLY, or (DualStack) ALL unless a BackendTrafficPolicy chose a family;
// - `filterOrder`: HTTP filters moved before or after others (envoy-proxy-filter-order.ts);
// - `routingType`: Service is what Gatehouse does (a Service's DNS name); Endpoint needs EndpointSlices;
// - `backendTLS`: the client certificate and TLS parameters of every TLS upstream of the Gateways using it,
//   where the Backend (or BackendTLSPolicy, or the Gateway's own spec.tls.backend) does not set its own.
import type { ClusterIR, TlsParametersIR, TlsSecretIR, UpstreamTlsIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import { describeIssues } from './conditions.js';
import { judgeFilterOrder, type FilterOrderIR } from './envoy-proxy-filter-order.js';
import { CORE_GROUP, ENVOY_GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import { describeCertificateProblem, readTlsSecretKey } from './tls-certificates.js';

export type IpFamily = 'IPv4' | 'IPv6' | 'DualStack';

/** backendTLS, resolved: what every TLS upstream gets where its own settings say nothing. */
export interface ProxyBackendTlsIR extends TlsParametersIR {
  clientCertificate?: TlsSecretIR;
}

export interface EnvoyProxyNetworkIR {
  ipFamily?: IpFamily;
  /** spec.filterOrder, checked (envoy-proxy-filter-order.ts). */
  filterOrder?: FilterOrderIR[];
  backendTls?: ProxyBackendTlsIR;
}

interface BackendTlsSpec extends TlsParametersIR {
  clientCertificateRef?: { group?: string; kind?: string; name?: string; namespace?: string };
}

const TLS_VERSIONS = ['Auto', '1.0', '1.1', '1.2', '1.3'];
const BACKEND_TLS_FIELDS = ['clientCertificateRef', 'minVersion', 'maxVersion', 'ciphers', 'ecdhCurves', 'signatureAlgorithms', 'alpnProtocols'];

export function envoyProxyNetwork(proxy: GatewayResource, index: ResourceIndex): { ir: EnvoyProxyNetworkIR; problems: string[] } {
  const spec = (proxy.spec ?? {}) as { ipFamily?: string; routingType?: string; backendTLS?: BackendTlsSpec | null; filterOrder?: unknown };
  const problems: string[] = [];
  const ir: EnvoyProxyNetworkIR = {};
  const order = judgeFilterOrder(spec.filterOrder);
  problems.push(...order.problems);
  if (order.ir.length > 0) ir.filterOrder = order.ir;
  if (spec.ipFamily !== undefined && spec.ipFamily !== null) {
    if (spec.ipFamily === 'IPv4' || spec.ipFamily === 'IPv6' || spec.ipFamily === 'DualStack') ir.ipFamily = spec.ipFamily;
    else problems.push(`spec.ipFamily: "${String(spec.ipFamily)}" is not one of IPv4, IPv6, DualStack`);
  }
  if (spec.routingType === 'Endpoint') problems.push('spec.routingType: Endpoint routing needs the Service\'s EndpointSlices, which Gatehouse (outside Kubernetes) does not have; use Service');
  if (spec.backendTLS) {
    const tls = backendTls(spec.backendTLS, proxy, index);
    problems.push(...tls.problems);
    if (tls.ir) ir.backendTls = tls.ir;
  }
  return { ir, problems };
}

function backendTls(spec: BackendTlsSpec, proxy: GatewayResource, index: ResourceIndex): { ir?: ProxyBackendTlsIR; problems: string[] } {
  const problems = Object.keys(spec)
    .filter((key) => !BACKEND_TLS_FIELDS.includes(key))
    .map((key) => `spec.backendTLS.${key}: not a field of backendTLS (${BACKEND_TLS_FIELDS.join(', ')})`);
  const ir: ProxyBackendTlsIR = {};
  for (const field of ['minVersion', 'maxVersion'] as const) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    if (!TLS_VERSIONS.includes(value)) problems.push(`spec.backendTLS.${field}: "${value}" is not one of ${TLS_VERSIONS.join(', ')}`);
    else ir[field] = value;
  }
  if (ir.minVersion && ir.maxVersion && ir.minVersion !== 'Auto' && ir.maxVersion !== 'Auto' && ir.minVersion > ir.maxVersion) {
    problems.push(`spec.backendTLS: minVersion ${ir.minVersion} is above maxVersion ${ir.maxVersion}`);
  }
  for (const field of ['ciphers', 'ecdhCurves', 'signatureAlgorithms', 'alpnProtocols'] as const) {
    const value = spec[field];
    if (Array.isArray(value) && value.length > 0) ir[field] = value.map(String);
  }
  const ref = spec.clientCertificateRef;
  if (ref) {
    const certificate = clientCertificate(ref, proxy, index);
    if (typeof certificate === 'string') problems.push(`spec.backendTLS.clientCertificateRef: ${certificate}`);
    else ir.clientCertificate = certificate;
  }
  return problems.length > 0 ? { problems } : { ir, problems };
}

function clientCertificate(ref: NonNullable<BackendTlsSpec['clientCertificateRef']>, proxy: GatewayResource, index: ResourceIndex): TlsSecretIR | string {
  if ((ref.group ?? CORE_GROUP) !== CORE_GROUP || (ref.kind ?? 'Secret') !== 'Secret') return `kind ${ref.group ? `${ref.group}/` : ''}${ref.kind ?? ''} is not supported; use a Secret`;
  if (!ref.name) return 'name is required';
  const namespace = ref.namespace ?? proxy.metadata.namespace;
  const from = { group: ENVOY_GATEWAY_GROUP, kind: 'EnvoyProxy', namespace: proxy.metadata.namespace };
  if (!index.isReferenceAllowed(from, { group: CORE_GROUP, kind: 'Secret', namespace, name: ref.name })) return `Secret ${namespace}/${ref.name} is in another namespace and no ReferenceGrant allows it`;
  const secret = index.get('Secret', namespace, ref.name);
  if (!secret) return `Secret ${namespace}/${ref.name} does not exist`;
  if (secret.issues?.length) return `Secret ${namespace}/${ref.name} is invalid: ${describeIssues(secret.issues)}`;
  const certificateChain = readTlsSecretKey(secret, 'tls.crt');
  const privateKey = readTlsSecretKey(secret, 'tls.key');
  const problem = describeCertificateProblem(certificateChain, privateKey);
  return problem ? `Secret ${namespace}/${ref.name}: ${problem}` : { name: `${namespace}/${ref.name}`, certificateChain, privateKey };
}

interface Clusters {
  list(): ClusterIR[];
  addSecret(secret: TlsSecretIR): void;
}

/** Every TLS upstream takes what backendTLS sets where its own TLS settings say nothing. */
export function applyProxyBackendTls(registry: Clusters, settings: ProxyBackendTlsIR | undefined): void {
  if (!settings) return;
  let presented = false;
  for (const cluster of registry.list()) {
    if (!cluster.tls) continue;
    const tls: UpstreamTlsIR = { ...cluster.tls };
    if (settings.clientCertificate && tls.clientCertificates.length === 0) {
      tls.clientCertificates = [settings.clientCertificate.name];
      presented = true;
    }
    if (settings.minVersion && !tls.minVersion) tls.minVersion = settings.minVersion;
    if (settings.maxVersion && !tls.maxVersion) tls.maxVersion = settings.maxVersion;
    for (const field of ['ciphers', 'ecdhCurves', 'signatureAlgorithms', 'alpnProtocols'] as const) {
      if (settings[field] && tls[field].length === 0) tls[field] = [...settings[field]];
    }
    cluster.tls = tls;
  }
  if (presented) registry.addSecret(settings.clientCertificate!);
}

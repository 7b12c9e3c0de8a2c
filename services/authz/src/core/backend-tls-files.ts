// BackendTLSPolicy documents in authz's own config folder: a policy targeting a Backend that a remoteJWKS
// or OIDC provider backendRef names gives that Backend's fetches TLS with its SNI, SANs and CA, the same
// "tls" value xds publishes (authz-backends.ts there): hostname as SNI, subjectAltNames (else the
// hostname) one of which the certificate must carry, CA from ConfigMaps or Secrets (key ca.crt) in the
// folder, or the system roots. A policy authz cannot apply is never skipped: the Backend gets a
// "tlsProblem" naming the file, and every SecurityPolicy fetching through it is refused.
type ResourceData = Record<string, Buffer>;

export interface TlsPolicyDoc {
  readonly file: string;
  readonly value: Record<string, unknown>;
}

interface TargetRef {
  group?: string;
  kind?: string;
  name?: string;
  sectionName?: string;
}

interface Validation {
  hostname?: string;
  subjectAltNames?: Array<{ type?: string; hostname?: string; uri?: string }>;
  wellKnownCACertificates?: string;
  caCertificateRefs?: Array<{ group?: string; kind?: string; name?: string }>;
}

/** Sets key "tls" (or "tlsProblem") on the Backends in `data` the policies target; the oldest policy wins a Backend, as Envoy Gateway decides a conflict. */
export function applyBackendTlsPolicies(policies: readonly TlsPolicyDoc[], data: Map<string, ResourceData>): void {
  const claimed = new Set<string>();
  for (const doc of [...policies].sort(olderFirst)) {
    const metadata = (doc.value.metadata ?? {}) as Record<string, unknown>;
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
    const name = `BackendTLSPolicy ${namespace}/${String(metadata.name ?? '')} (${doc.file})`;
    const spec = (doc.value.spec ?? {}) as { targetRefs?: TargetRef[]; validation?: Validation; options?: Record<string, unknown> };
    const targets = (Array.isArray(spec.targetRefs) ? spec.targetRefs : []).filter((t) => t.group === 'gateway.envoyproxy.io' && t.kind === 'Backend');
    if (targets.length === 0) continue; // Services: authz connects to none, Envoy's clusters take it (xds).
    const outcome = policyTls(spec, namespace, data);
    for (const target of targets) {
      const key = `Backend:${namespace}/${target.name ?? ''}`;
      const backend = data.get(key);
      if (!backend || claimed.has(key)) continue;
      claimed.add(key);
      const problem = target.sectionName ? `targetRefs sectionName ${target.sectionName} is not supported (authz fetches every port of the Backend alike); target the whole Backend` : outcome.problem;
      data.set(key, problem ? { ...backend, tlsProblem: Buffer.from(`${name}: ${problem}`) } : { ...backend, tls: Buffer.from(JSON.stringify(outcome.tls)) });
    }
  }
}

function policyTls(spec: { validation?: Validation; options?: Record<string, unknown> }, namespace: string, data: Map<string, ResourceData>): { tls?: object; problem?: string } {
  if (spec.options && Object.keys(spec.options).length > 0) return { problem: `options ${Object.keys(spec.options).join(', ')} are not supported` };
  const validation = spec.validation ?? {};
  if (!validation.hostname) return { problem: 'validation.hostname is required' };
  const sans: Array<{ type: 'DNS' | 'URI'; value: string }> = [];
  for (const san of validation.subjectAltNames ?? []) {
    const entry = san.type === 'URI' ? { type: 'URI' as const, value: san.uri ?? '' } : san.type === 'Hostname' ? { type: 'DNS' as const, value: san.hostname ?? '' } : undefined;
    if (!entry?.value) return { problem: `validation.subjectAltNames: type ${String(san.type)} needs its ${san.type === 'URI' ? 'uri' : 'hostname'}` };
    sans.push(entry);
  }
  const tls = { sni: validation.hostname, subjectAltNames: sans.length > 0 ? sans : [{ type: 'DNS', value: validation.hostname }] };
  if (validation.wellKnownCACertificates === 'System') return { tls };
  if (validation.wellKnownCACertificates) return { problem: `validation.wellKnownCACertificates ${validation.wellKnownCACertificates} is not supported; use System` };
  const pems: string[] = [];
  for (const ref of validation.caCertificateRefs ?? []) {
    const kind = ref.kind ?? 'ConfigMap';
    if ((ref.group ?? '') !== '' || (kind !== 'ConfigMap' && kind !== 'Secret')) return { problem: `validation.caCertificateRefs: kind ${kind} is not supported; use a ConfigMap or a Secret` };
    const pem = data.get(`${kind}:${namespace}/${ref.name ?? ''}`)?.['ca.crt']?.toString('utf8');
    if (!pem?.includes('-----BEGIN CERTIFICATE-----')) return { problem: `validation.caCertificateRefs: ${kind} ${namespace}/${String(ref.name)} with a PEM certificate under key ca.crt is not in the config folder` };
    pems.push(pem.endsWith('\n') ? pem : `${pem}\n`);
  }
  if (pems.length === 0) return { problem: 'validation needs caCertificateRefs or wellKnownCACertificates' };
  return { tls: { ...tls, ca: pems.join('') } };
}

/** Envoy Gateway's conflict order: the oldest creationTimestamp, then namespace/name. */
function olderFirst(a: TlsPolicyDoc, b: TlsPolicyDoc): number {
  const meta = (d: TlsPolicyDoc) => (d.value.metadata ?? {}) as Record<string, unknown>;
  const stamp = (d: TlsPolicyDoc) => String(meta(d).creationTimestamp ?? '');
  const id = (d: TlsPolicyDoc) => `${String(meta(d).namespace ?? 'default')}/${String(meta(d).name ?? '')}`;
  return stamp(a) !== stamp(b) ? (stamp(a) < stamp(b) ? -1 : 1) : id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0;
}

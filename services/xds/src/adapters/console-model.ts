// What the console (packages/console) shows, built from what xds knows: the serving resources drawn as
// topology (through the Gateway API stage, so routes read as the IR does), the runner's statuses and
// file errors, the connected proxies with their ACKs and NACKs, and the certificates the snapshots serve.
import { X509Certificate } from 'node:crypto';
import { TypeUrls } from '@gatehouse/contracts';
import type {
  CertificateView,
  GatewayView,
  Health,
  ListenerView,
  PolicyView,
  Problem,
  ResourceHealth,
  RouteView,
  SecurityPolicyView,
  Topology,
} from '@gatehouse/console/model';
import type { Snapshot, SnapshotStore } from '../core/cache/index.js';
import { translateGatewayApi } from '../core/gatewayapi/translate.js';
import type { Condition, GatewayResource, ResourceStatus } from '../core/index.js';
import type { GlobalRateLimitIR, RouteIR } from '../core/ir/types.js';
import type { ProxyRegistry } from '../core/server/index.js';
import type { PipelineState } from '../runner/config-pipeline.js';

/** Condition types whose False means something does not work. */
const HEALTH_CONDITIONS = new Set(['Accepted', 'Programmed', 'ResolvedRefs']);

/** Per Gateway: listeners as written, and every route rule served on them with its backends and policies. */
export function buildTopology(resources: readonly GatewayResource[], controllerName: string): Topology {
  const stage = translateGatewayApi(resources, controllerName);
  const byKey = new Map(resources.map((r) => [`${r.kind}/${r.metadata.namespace ?? 'default'}/${r.metadata.name}`, r]));
  const gateways = stage.gateways.map((ir): GatewayView => {
    const status = stage.statuses.get(`Gateway/${ir.key}`);
    const gateway = byKey.get(`Gateway/${ir.key}`);
    const routes = new Map<string, RouteView>();
    for (const port of ir.ports) {
      for (const chain of port.chains) {
        for (const host of chain.virtualHosts) {
          for (const route of host.routes) {
            if (route.internal) continue;
            const view = routeView(route, port.port, byKey);
            if (!view) continue;
            const id = `${view.route}#${view.rule}#${route.name.split('/')[6] ?? ''}#${port.port}`;
            const seen = routes.get(id);
            if (seen) seen.hostnames = [...new Set([...seen.hostnames, ...host.domains])];
            else routes.set(id, { ...view, hostnames: [...host.domains] });
          }
        }
      }
    }
    return {
      key: ir.key,
      accepted: isTrue(status && 'conditions' in status ? status.conditions : [], 'Accepted'),
      listeners: listenerViews(gateway, status),
      routes: [...routes.values()],
    };
  });
  return { gateways };
}

function listenerViews(gateway: GatewayResource | undefined, status: ResourceStatus | undefined): ListenerView[] {
  const listeners = (gateway?.spec?.listeners ?? []) as Array<{ name?: string; protocol?: string; port?: number; hostname?: string; tls?: { certificateRefs?: Array<{ name?: string; namespace?: string }> } }>;
  const statuses = status?.kind === 'Gateway' ? status.listeners : [];
  const namespace = gateway?.metadata.namespace ?? 'default';
  return listeners.map((l) => {
    const s = statuses.find((x) => x.name === l.name);
    const failing = s?.conditions.find((c) => HEALTH_CONDITIONS.has(c.type) && c.status === 'False');
    return {
      name: l.name ?? '',
      protocol: l.protocol ?? '',
      port: l.port ?? 0,
      ...(l.hostname ? { hostname: l.hostname } : {}),
      certificates: (l.tls?.certificateRefs ?? []).map((ref) => `${ref.namespace ?? namespace}/${ref.name ?? ''}`),
      attachedRoutes: s?.attachedRoutes ?? 0,
      ready: !failing,
      ...(failing ? { problem: failing.message } : {}),
    };
  });
}

/** A served route rule; route names are "<kind>/<ns>/<name>/rule/<i>/match/<j>/<hostname>". */
function routeView(route: RouteIR, port: number, byKey: ReadonlyMap<string, GatewayResource>): Omit<RouteView, 'hostnames'> | undefined {
  const [kind, namespace, name, , rule] = route.name.split('/');
  if (!kind || !namespace || !name) return undefined;
  const policies: PolicyView[] = [];
  if (route.securityPolicy) policies.push(securityPolicyView(route.securityPolicy, byKey.get(`SecurityPolicy/${route.securityPolicy}`)));
  if (route.rateLimit) policies.push(rateLimitView(route.rateLimit));
  return {
    route: `${kind === 'grpcroute' ? 'GRPCRoute' : 'HTTPRoute'}/${namespace}/${name}`,
    rule: Number(rule ?? 0),
    match: route.match,
    port,
    backends: (route.backends ?? []).map((b) => ({ name: b.cluster.replace(/^backend\//, ''), weight: b.weight })),
    ...(route.redirect
      ? {
          redirect: {
            statusCode: route.redirect.statusCode,
            ...(route.redirect.scheme ? { scheme: route.redirect.scheme } : {}),
            ...(route.redirect.hostname ? { hostname: route.redirect.hostname } : {}),
            ...(route.redirect.port ? { port: route.redirect.port } : {}),
            ...(route.redirect.path ? { path: route.redirect.path.value } : {}),
          },
        }
      : {}),
    ...(route.directResponse ? { directResponse: { status: route.directResponse.status } } : {}),
    ...(route.timeoutMs !== undefined ? { timeoutMs: route.timeoutMs } : {}),
    ...(route.retry ? { retries: route.retry.numRetries } : {}),
    policies,
  };
}

interface SecurityPolicySpec {
  jwt?: { providers?: Array<{ issuer?: string; audiences?: string[]; remoteJWKS?: { uri?: string }; claimToHeaders?: Array<{ claim?: string; header?: string }> }> };
  oidc?: { provider?: { issuer?: string }; clientID?: string };
  apiKeyAuth?: { extractFrom?: Array<{ headers?: string[] }> };
  basicAuth?: unknown;
  cors?: { allowOrigins?: string[] };
  authorization?: { defaultAction?: string; rules?: unknown[] };
}

/** What a SecurityPolicy does, as data the console words (never its secrets). */
function securityPolicyView(name: string, policy: GatewayResource | undefined): SecurityPolicyView {
  const spec = (policy?.spec ?? {}) as SecurityPolicySpec;
  const view: SecurityPolicyView = { kind: 'SecurityPolicy', name };
  if (spec.jwt?.providers) {
    view.jwt = spec.jwt.providers.map((p) => ({
      ...(p.issuer ? { issuer: p.issuer } : {}),
      ...(p.remoteJWKS?.uri ? { jwksUri: p.remoteJWKS.uri } : {}),
      ...(p.audiences ? { audiences: p.audiences } : {}),
      claimToHeaders: (p.claimToHeaders ?? []).map((c) => ({ claim: c.claim ?? '', header: c.header ?? '' })),
    }));
  }
  if (spec.oidc) view.oidc = { ...(spec.oidc.provider?.issuer ? { issuer: spec.oidc.provider.issuer } : {}), ...(spec.oidc.clientID ? { clientId: spec.oidc.clientID } : {}) };
  if (spec.apiKeyAuth) {
    const header = spec.apiKeyAuth.extractFrom?.[0]?.headers?.[0];
    view.apiKeyAuth = header ? { header } : {};
  }
  if (spec.basicAuth) view.basicAuth = true;
  if (spec.cors) view.cors = { allowOrigins: spec.cors.allowOrigins ?? [] };
  if (spec.authorization) view.authorization = { ...(spec.authorization.defaultAction ? { defaultAction: spec.authorization.defaultAction } : {}), rules: spec.authorization.rules?.length ?? 0 };
  return view;
}

function rateLimitView(limit: GlobalRateLimitIR): PolicyView {
  return {
    kind: 'RateLimit',
    name: limit.policy,
    shared: limit.shared,
    rules: limit.rules.map((r) => ({
      requests: r.requests,
      unit: r.unit,
      selectors: r.selectors,
      ...(r.cidr ? { cidr: { cidr: r.cidr.cidr, distinct: r.cidr.distinct } } : {}),
    })),
  };
}

export interface HealthSources {
  state: Readonly<PipelineState>;
  store: SnapshotStore;
  registry: ProxyRegistry;
}

/** Statuses, load errors and the proxies' ACKs and NACKs. */
export function buildHealth({ state, store, registry }: HealthSources): Health {
  const resources = [...state.statuses].map(([key, status]) => resourceHealth(key, status)).sort((a, b) => Number(a.healthy) - Number(b.healthy) || a.key.localeCompare(b.key));
  return {
    appliedAt: state.appliedAt ? new Date(state.appliedAt).toISOString() : null,
    versions: Object.fromEntries(store.nodeClusters().map((k) => [k, store.get(k)!.version])),
    resources,
    fileErrors: [...state.fileErrors, ...state.adminErrors].map(
      (e): Problem => ({ code: e.code, message: e.message, file: e.file, line: e.line, ...(e.path ? { path: e.path } : {}), keptPrevious: e.keptPrevious }),
    ),
    snapshotProblems: state.snapshotProblems.map((p) => ({ nodeCluster: p.nodeCluster, message: `${p.code}: ${p.message}` })),
    translationError: state.translationError ?? null,
    proxies: registry.proxies().map((p) => ({
      nodeId: p.nodeId,
      nodeCluster: p.nodeCluster,
      variant: p.variant,
      connectedAt: new Date(p.connectedAt).toISOString(),
      types: p.types.map((t) => ({
        type: t.type,
        ...(t.ackedVersion !== undefined ? { ackedVersion: t.ackedVersion } : {}),
        ...(t.pendingVersion !== undefined ? { pendingVersion: t.pendingVersion } : {}),
        ...(t.lastNack ? { lastNack: { version: t.lastNack.version, message: t.lastNack.errorMessage, at: new Date(t.lastNack.at).toISOString() } } : {}),
      })),
    })),
    nacks: registry.recentNacks().map((n) => ({ nodeId: n.node.id, nodeCluster: n.node.cluster, type: n.type, version: n.version, message: n.errorMessage, at: new Date(n.at).toISOString() })),
  };
}

function resourceHealth(key: string, status: ResourceStatus): ResourceHealth {
  const conditions: ResourceHealth['conditions'] = [];
  const plain = (c: Condition, parent?: string) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, ...(parent ? { parent } : {}) });
  if ('parents' in status) for (const p of status.parents) conditions.push(...p.conditions.map((c) => plain(c, parentName(p.parentRef))));
  else if ('ancestors' in status) for (const a of status.ancestors) conditions.push(...a.conditions.map((c) => plain(c, parentName(a.ancestorRef))));
  else {
    conditions.push(...status.conditions.map((c) => plain(c)));
    if (status.kind === 'Gateway') for (const l of status.listeners) conditions.push(...l.conditions.map((c) => plain(c, `listener ${l.name}`)));
  }
  return {
    key,
    conditions,
    healthy: !conditions.some((c) => HEALTH_CONDITIONS.has(c.type) && c.status === 'False'),
    servingLastGood: conditions.some((c) => c.message.includes('(the last accepted version) keeps serving')),
  };
}

function parentName(ref: { kind?: string; namespace?: string; name: string; sectionName?: string }): string {
  return `${ref.kind ?? 'Gateway'}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}${ref.sectionName ? `/${ref.sectionName}` : ''}`;
}

function isTrue(conditions: readonly Condition[], type: string): boolean {
  return conditions.some((c) => c.type === type && c.status === 'True');
}

/** Every certificate the snapshots serve (issued and from Secret documents), read from its PEM. */
export function buildCertificates(store: SnapshotStore): CertificateView[] {
  const byName = new Map<string, CertificateView>();
  for (const nodeCluster of store.nodeClusters()) {
    const snapshot: Snapshot | undefined = store.get(nodeCluster);
    for (const [name, entry] of snapshot?.entries(TypeUrls.secret) ?? []) {
      const seen = byName.get(name);
      if (seen) {
        seen.gateways.push(nodeCluster);
        continue;
      }
      const pem = (entry.resource as { tls_certificate?: { certificate_chain?: { inline_string?: string } } }).tls_certificate?.certificate_chain?.inline_string;
      const view = pem ? certificateView(name, pem) : undefined;
      if (view) byName.set(name, { ...view, served: true, gateways: [nodeCluster] });
    }
  }
  return [...byName.values()].sort((a, b) => (a.notAfter ?? '').localeCompare(b.notAfter ?? ''));
}

function certificateView(name: string, pem: string): Omit<CertificateView, 'gateways' | 'served'> | undefined {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  const lifetime = notAfter - notBefore;
  // The certs service's rule without ARI: renew with a third of the lifetime left, half under 10 days.
  const renewAfter = notAfter - lifetime * (lifetime < 10 * 86_400_000 ? 1 / 2 : 1 / 3);
  const hostnames = (cert.subjectAltName ?? '')
    .split(/,\s*/)
    .filter((s) => s.startsWith('DNS:'))
    .map((s) => s.slice(4));
  return {
    name,
    subject: cert.subject.replace(/\n/g, ', '),
    hostnames,
    issuer: cert.issuer.replace(/\n/g, ', '),
    notBefore: new Date(notBefore).toISOString(),
    notAfter: new Date(notAfter).toISOString(),
    renewAfter: new Date(renewAfter).toISOString(),
  };
}

// EnvoyProxy, as Envoy Gateway attaches it: a Gateway's `infrastructure.parametersRef` (same namespace)
// wins over its GatewayClass's `parametersRef`. What applies outside Kubernetes becomes the Gateway's
// telemetry IR (access logs, tracing: translator/envoy-proxy) or is applied where Envoy starts
// (`gatehouse bootstrap -f`, `pnpm start`: concurrency, logging, stats); the Kubernetes-only fields
// are accepted and named as not applicable in the status; a field Gatehouse cannot honour refuses the
// EnvoyProxy (Accepted=False, the field named), and then the Gateways using it are not served with it:
// they are Accepted=False InvalidParameters, as Envoy Gateway does for parameters it cannot use.
import type { GatewayResource } from '../provider/resource-types.js';
import { conditionFalse, conditionTrue, describeIssues, Reasons } from './conditions.js';
import type { GatewayContext } from './gateways.js';
import { ENVOY_GATEWAY_GROUP, GATEWAY_GROUP, type ResourceIndex } from './resource-index.js';
import type { Condition, ParentReference, StatusMap } from './status-types.js';
import { envoyProxyTelemetry, type EnvoyProxyTelemetryIR } from './envoy-proxy-telemetry.js';
import { envoyStart, type EnvoyStartIR } from './envoy-proxy-start.js';
import { envoyProxyNetwork, type EnvoyProxyNetworkIR } from './envoy-proxy-network.js';

export interface EnvoyProxyIR {
  /** "<namespace>/<name>" of the EnvoyProxy. */
  name: string;
  telemetry: EnvoyProxyTelemetryIR;
  /** What applies where Envoy starts (command line, bootstrap stats). */
  start: EnvoyStartIR;
  /** ipFamily and backendTLS. */
  network: EnvoyProxyNetworkIR;
  /** The GatewayClass whose EnvoyProxy sets `mergeGateways: true`: the Gateway is served by that class's merged fleet. */
  mergedInto?: string;
}

interface ParametersRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

/** Kubernetes-only fields: accepted, and named in the status as not applied here. */
const KUBERNETES_ONLY = ['envoyDeployment', 'envoyDaemonSet', 'envoyService', 'envoyHpa', 'envoyPDB', 'envoyServiceAccount', 'useListenerPortAsContainerPort'] as const;

/** Fields applied where Envoy is started (the bootstrap and command line `gatehouse bootstrap -f` and `pnpm start` write). */
const AT_START = ['concurrency', 'logging', 'telemetry.metrics', 'shutdown', 'extraArgs', 'bootstrap'] as const;

interface Judged {
  problems: string[];
  notes: string[];
  telemetry: EnvoyProxyTelemetryIR;
  start: EnvoyStartIR;
  network: EnvoyProxyNetworkIR;
}

/**
 * Resolves each served Gateway's EnvoyProxy. Gateways whose EnvoyProxy is missing or refused are taken
 * out (their status says why); the rest come back with their EnvoyProxy's IR, keyed by Gateway key.
 */
export function resolveEnvoyProxies(
  index: ResourceIndex,
  gateways: readonly GatewayContext[],
  controllerName: string,
  statuses: StatusMap,
  serviceDnsTemplate?: string,
): { gateways: GatewayContext[]; proxies: Map<string, EnvoyProxyIR> } {
  const classMerges = (name: string | undefined): EnvoyProxySpecRef | undefined => mergingProxyOf(index, name);
  const judged = new Map<string, Judged>();
  const ancestors = new Map<string, Array<{ ancestorRef: ParentReference; controllerName: string; conditions: Condition[] }>>();
  const judge = (proxy: GatewayResource, ancestorRef: ParentReference, gateway: GatewayContext): Judged => {
    const key = `${proxy.metadata.namespace}/${proxy.metadata.name}`;
    let verdict = judged.get(`${key}@${gateway.key}`);
    if (!verdict) judged.set(`${key}@${gateway.key}`, (verdict = judgeEnvoyProxy(proxy, `${gateway.name}.${gateway.namespace}`, serviceDnsTemplate, index)));
    let list = ancestors.get(key);
    if (!list) ancestors.set(key, (list = []));
    if (!list.some((a) => a.ancestorRef.kind === ancestorRef.kind && a.ancestorRef.name === ancestorRef.name && a.ancestorRef.namespace === ancestorRef.namespace)) {
      list.push({ ancestorRef, controllerName, conditions: [proxyCondition(verdict)] });
    }
    return verdict;
  };

  const kept: GatewayContext[] = [];
  const proxies = new Map<string, EnvoyProxyIR>();
  for (const gateway of gateways) {
    const spec = gateway.resource.spec as { gatewayClassName?: string; infrastructure?: { parametersRef?: ParametersRef } } | undefined;
    const gatewayRef = spec?.infrastructure?.parametersRef;
    const gatewayClass = index.list('GatewayClass').find((c) => c.metadata.name === spec?.gatewayClassName);
    const classRef = (gatewayClass?.spec as { parametersRef?: ParametersRef } | undefined)?.parametersRef;
    const classKey = gatewayClass ? `GatewayClass/${gatewayClass.metadata.namespace}/${gatewayClass.metadata.name}` : undefined;

    let proxy: GatewayResource | undefined;
    let ancestorRef: ParentReference;
    const merging = classMerges(spec?.gatewayClassName);
    if (gatewayRef && merging) {
      // One fleet serves the whole class, so one EnvoyProxy (the class's) configures it.
      refuseGateway(gateway, statuses, `infrastructure.parametersRef cannot be honoured: GatewayClass ${spec!.gatewayClassName} merges its Gateways (EnvoyProxy ${merging} sets spec.mergeGateways), so its EnvoyProxy configures every Gateway of the class`);
      continue;
    }
    if (gatewayRef) {
      ancestorRef = { group: GATEWAY_GROUP, kind: 'Gateway', namespace: gateway.namespace, name: gateway.name };
      const problem = refProblem(gatewayRef, 'infrastructure.parametersRef');
      proxy = problem ? undefined : index.get('EnvoyProxy', gateway.namespace, gatewayRef.name!);
      if (problem || !proxy) {
        refuseGateway(gateway, statuses, problem ?? `infrastructure.parametersRef: EnvoyProxy ${gateway.namespace}/${gatewayRef.name} not found`);
        continue;
      }
    } else if (classRef) {
      ancestorRef = { group: GATEWAY_GROUP, kind: 'GatewayClass', name: gatewayClass!.metadata.name };
      const problem = refProblem(classRef, 'parametersRef') ?? (classRef.namespace ? undefined : 'parametersRef: namespace is required for an EnvoyProxy');
      proxy = problem ? undefined : index.get('EnvoyProxy', classRef.namespace!, classRef.name!);
      if (problem || !proxy) {
        const message = problem ?? `parametersRef: EnvoyProxy ${classRef.namespace}/${classRef.name} not found`;
        if (classKey) statuses.set(classKey, { kind: 'GatewayClass', conditions: [conditionFalse('Accepted', Reasons.invalidParameters, `Invalid GatewayClass parameters: ${message}`)] });
        refuseGateway(gateway, statuses, `GatewayClass ${gatewayClass!.metadata.name}: ${message}`);
        continue;
      }
    } else {
      kept.push(gateway);
      continue;
    }

    const verdict = judge(proxy, ancestorRef, gateway);
    if (gatewayRef && verdict.problems.length === 0 && (proxy.spec as { mergeGateways?: unknown } | undefined)?.mergeGateways === true) {
      verdict.problems.push('spec.mergeGateways: applies only to the EnvoyProxy of a GatewayClass (its parametersRef), not to one Gateway\'s infrastructure.parametersRef');
      const list = ancestors.get(proxyKeyOf(proxy))!;
      list[list.length - 1]!.conditions = [proxyCondition(verdict)];
    }
    const proxyName = `${proxy.metadata.namespace}/${proxy.metadata.name}`;
    if (verdict.problems.length > 0) {
      refuseGateway(gateway, statuses, `EnvoyProxy ${proxyName} is not accepted: ${verdict.problems.join('; ')}`);
      continue;
    }
    kept.push(gateway);
    proxies.set(gateway.key, { name: proxyName, telemetry: verdict.telemetry, start: verdict.start, network: verdict.network, ...(merging && !gatewayRef ? { mergedInto: spec!.gatewayClassName! } : {}) });
  }

  for (const proxy of index.list('EnvoyProxy')) {
    const key = `${proxy.metadata.namespace}/${proxy.metadata.name}`;
    // Referenced by nothing: still judged, so a typo shows before anything points at it.
    const list = ancestors.get(key) ?? [];
    if (list.length === 0 && proxy.issues?.length) {
      list.push({ ancestorRef: { group: ENVOY_GATEWAY_GROUP, kind: 'EnvoyProxy', namespace: proxy.metadata.namespace, name: proxy.metadata.name }, controllerName, conditions: [conditionFalse('Accepted', Reasons.invalid, describeIssues(proxy.issues))] });
    }
    statuses.set(`EnvoyProxy/${key}`, { kind: 'EnvoyProxy', ancestors: list });
  }
  return { gateways: kept, proxies };
}

type EnvoyProxySpecRef = string;

function proxyKeyOf(proxy: GatewayResource): string {
  return `${proxy.metadata.namespace}/${proxy.metadata.name}`;
}

/** "<namespace>/<name>" of the class's EnvoyProxy when it sets mergeGateways: true. */
function mergingProxyOf(index: ResourceIndex, className: string | undefined): EnvoyProxySpecRef | undefined {
  const gatewayClass = index.list('GatewayClass').find((c) => c.metadata.name === className);
  const ref = (gatewayClass?.spec as { parametersRef?: ParametersRef } | undefined)?.parametersRef;
  if (!ref || refProblem(ref, 'parametersRef') || !ref.namespace) return undefined;
  const proxy = index.get('EnvoyProxy', ref.namespace, ref.name!);
  return (proxy?.spec as { mergeGateways?: unknown } | undefined)?.mergeGateways === true ? proxyKeyOf(proxy!) : undefined;
}

function refProblem(ref: ParametersRef, field: string): string | undefined {
  if (ref.group !== ENVOY_GATEWAY_GROUP || ref.kind !== 'EnvoyProxy') return `${field}: only group ${ENVOY_GATEWAY_GROUP} kind EnvoyProxy is supported (got ${ref.group ?? ''}/${ref.kind ?? ''})`;
  if (!ref.name) return `${field}: name is required`;
  return undefined;
}

function refuseGateway(gateway: GatewayContext, statuses: StatusMap, message: string): void {
  statuses.set(`Gateway/${gateway.namespace}/${gateway.name}`, {
    kind: 'Gateway',
    conditions: [conditionFalse('Accepted', Reasons.invalidParameters, message), conditionFalse('Programmed', Reasons.invalid, message)],
    listeners: [],
  });
}

function proxyCondition(verdict: Judged): Condition {
  if (verdict.problems.length > 0) return conditionFalse('Accepted', Reasons.invalid, verdict.problems.join('; '));
  const notes = verdict.notes.length > 0 ? ` ${verdict.notes.join(' ')}` : '';
  return conditionTrue('Accepted', Reasons.accepted, `EnvoyProxy has been accepted.${notes}`);
}

/** What of this EnvoyProxy applies; `serviceName`: the Gateway's default tracing service name. */
function judgeEnvoyProxy(proxy: GatewayResource, serviceName: string, serviceDnsTemplate: string | undefined, index: ResourceIndex): Judged {
  if (proxy.issues?.length) return { problems: [describeIssues(proxy.issues)], notes: [], telemetry: {}, start: { args: [] }, network: {} };
  const spec = (proxy.spec ?? {}) as Record<string, unknown> & {
    provider?: { type?: string; kubernetes?: Record<string, unknown> };
    mergeGateways?: boolean;
  };
  const problems: string[] = [];
  const notes: string[] = [];

  if (spec.provider?.type === 'Custom') problems.push('spec.provider.type: Custom is not supported (Gatehouse serves Envoys that run wherever they are started)');
  const kubernetes = KUBERNETES_ONLY.filter((field) => spec.provider?.kubernetes?.[field] !== undefined && spec.provider.kubernetes[field] !== null).map((f) => `spec.provider.kubernetes.${f}`);
  if (kubernetes.length > 0) notes.push(`Not applicable outside Kubernetes (accepted, not applied): ${kubernetes.join(', ')}.`);
  const atStart = AT_START.filter((field) => valueAt(spec, field) !== undefined).map((f) => `spec.${f}`);
  if (atStart.length > 0) notes.push(`Applied where Envoy is started (gatehouse bootstrap -f, pnpm start): ${atStart.join(', ')}.`);

  for (const [field, reason] of [
    ['telemetry.metrics.prometheus.compression', 'telemetry.metrics.prometheus.compression is refused: Gatehouse exposes Prometheus stats only on the Envoy admin on 127.0.0.1 (no Prometheus listener, as with disable: true), and Envoy\'s admin has no response compression to configure'],
    ['shutdown.minDrainDuration', 'shutdown.minDrainDuration is not translated yet (Envoy Gateway\'s shutdown manager is Kubernetes-only; drainTimeout is --drain-time-s)'],
  ] as const) {
    const value = valueAt(spec, field);
    if (value === undefined || (field.startsWith('telemetry.metrics.enable') && value === false) || (Array.isArray(value) && value.length === 0)) continue;
    problems.push(`spec.${field}: ${reason}`);
  }
  const telemetry = envoyProxyTelemetry(spec.telemetry, proxy.metadata.namespace, serviceName, serviceDnsTemplate);
  problems.push(...telemetry.problems);
  const start = envoyStart(spec, proxy.metadata.namespace, serviceDnsTemplate);
  problems.push(...start.problems);
  const network = envoyProxyNetwork(proxy, index);
  problems.push(...network.problems);
  return { problems, notes, telemetry: telemetry.ir, start: start.ir, network: network.ir };
}

function valueAt(spec: Record<string, unknown>, dotted: string): unknown {
  let node: unknown = spec;
  for (const key of dotted.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node === null ? undefined : node;
}

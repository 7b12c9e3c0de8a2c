// BackendTrafficPolicy fields about how Envoy talks to the upstream, read with Envoy's value rules:
// HTTP/2 settings (http2), zone weights (loadBalancer.zoneAware.weightedZones) and routingType.
import type { Http2SettingsIR } from '../ir/types.js';
import type { PolicyValues } from './policy-values.js';

export interface Http2Spec {
  initialStreamWindowSize?: string | number;
  initialConnectionWindowSize?: string | number;
  maxConcurrentStreams?: number;
  onInvalidMessage?: string;
  connectionKeepalive?: { interval?: string; timeout?: string; intervalJitter?: number; idleInterval?: string };
}

/** Envoy's HTTP/2 window sizes are 65535 bytes (the RFC's initial window) to 2^31 - 1. */
const WINDOW_MIN = 65_535;
const WINDOW_MAX = 2_147_483_647;

export function translateHttp2(spec: Http2Spec | undefined, values: PolicyValues): Http2SettingsIR | undefined {
  if (!spec) return undefined;
  const at = 'spec.http2';
  const ir: Http2SettingsIR = {};
  const window = (value: unknown, field: 'initialStreamWindowSize' | 'initialConnectionWindowSize') => {
    const bytes = values.bytes(value, `${at}.${field}`, WINDOW_MAX);
    if (bytes !== undefined && bytes < WINDOW_MIN) values.problems.push(`${at}.${field}: ${String(value)} is below Envoy's minimum window of 65535 bytes`);
    else if (bytes !== undefined) ir[field] = bytes;
  };
  window(spec.initialStreamWindowSize, 'initialStreamWindowSize');
  window(spec.initialConnectionWindowSize, 'initialConnectionWindowSize');
  const streams = values.integer(spec.maxConcurrentStreams, `${at}.maxConcurrentStreams`, 1, 2_147_483_647);
  if (streams !== undefined) ir.maxConcurrentStreams = streams;
  if (spec.onInvalidMessage !== undefined) {
    if (spec.onInvalidMessage === 'TerminateStream') ir.resetStreamOnError = true;
    else if (spec.onInvalidMessage === 'TerminateConnection') ir.resetStreamOnError = false;
    else values.problems.push(`${at}.onInvalidMessage: "${spec.onInvalidMessage}" is not one of TerminateConnection, TerminateStream`);
  }
  const keepalive = spec.connectionKeepalive;
  if (keepalive) {
    const k = `${at}.connectionKeepalive`;
    // Envoy's KeepaliveSettings needs a PING timeout, and every duration at least 1ms.
    const interval = values.duration(keepalive.interval, `${k}.interval`);
    const timeout = values.duration(keepalive.timeout, `${k}.timeout`);
    const idle = values.duration(keepalive.idleInterval, `${k}.idleInterval`);
    const jitter = values.integer(keepalive.intervalJitter, `${k}.intervalJitter`, 0, 100);
    if (keepalive.timeout === undefined) values.problems.push(`${k}.timeout: is required (Envoy waits this long for a PING's answer)`);
    // The CRD's rule "timeout must be less than interval".
    if (interval !== undefined && timeout !== undefined && timeout >= interval) values.problems.push(`${k}: timeout must be less than interval`);
    ir.keepalive = {
      ...(interval !== undefined ? { intervalMs: interval } : {}),
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      ...(jitter !== undefined ? { intervalJitterPercent: jitter } : {}),
      ...(idle !== undefined ? { idleIntervalMs: idle } : {}),
    };
  }
  return ir;
}

/** Locality weights: Envoy's locality_weighted_lb_config gives each zone its share. */
export function translateZoneWeights(spec: Array<{ zone?: string; weight?: number }> | undefined, values: PolicyValues): Array<{ zone: string; weight: number }> | undefined {
  if (!spec?.length) return undefined;
  const at = 'spec.loadBalancer.zoneAware.weightedZones';
  const weights: Array<{ zone: string; weight: number }> = [];
  spec.forEach((entry, i) => {
    // Envoy ignores a locality of weight 0 (it takes no traffic), so 0 is allowed; negative is not.
    const weight = values.integer(entry.weight, `${at}[${i}].weight`, 0, 4_294_967_295);
    if (!entry.zone) values.problems.push(`${at}[${i}].zone: is required`);
    else if (weights.some((w) => w.zone === entry.zone)) values.problems.push(`${at}[${i}].zone: "${entry.zone}" is listed twice`);
    else if (weight !== undefined) weights.push({ zone: entry.zone, weight });
  });
  return weights.length > 0 ? weights : undefined;
}

/**
 * Service routing is what Gatehouse does for a Service backendRef (the Service's DNS name, which
 * stands for its cluster IP); Endpoint routing needs the Service's EndpointSlices, which a gateway
 * outside Kubernetes does not have. Backends (gateway.envoyproxy.io) name their endpoints either way.
 */
export function translateRoutingType(value: string | undefined, values: PolicyValues): void {
  if (value === undefined || value === 'Service') return;
  if (value === 'Endpoint') values.problems.push('spec.routingType: Endpoint routing needs the Service\'s EndpointSlices, which Gatehouse (outside Kubernetes) does not have; use Service');
  else values.problems.push(`spec.routingType: "${value}" is not one of Service, Endpoint`);
}

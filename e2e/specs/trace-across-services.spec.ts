// One trace follows a YAML edit: xds translates and publishes it (xds.translate -> xds.publish), the
// message carries the trace context over Redis, and authz and ratelimit apply it as children of that
// publish. authz's Check spans carry the policy and the outcome. The services export over OTLP/HTTP
// (JSON) to a collector inside this test.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startGateway, waitFor, type GatewayHandle } from '../harness/index.js';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface CollectedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

function plain(value: OtlpValue | undefined): unknown {
  if (!value) return undefined;
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue;
}

/** OTLP/HTTP JSON ids are hex; protobuf-JSON tooling sometimes sends base64. Normalise to hex. */
function hexId(id: unknown): string {
  if (typeof id !== 'string' || id === '') return '';
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

/** A tiny OTLP/HTTP trace collector: POST /v1/traces with an ExportTraceServiceRequest in JSON. */
async function startCollector(): Promise<{ url: string; spans: CollectedSpan[]; close(): Promise<void> }> {
  const spans: CollectedSpan[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces' || !String(request.headers['content-type']).includes('json')) {
        response.writeHead(415).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        resourceSpans?: Array<{
          resource?: { attributes?: Array<{ key: string; value: OtlpValue }> };
          scopeSpans?: Array<{ spans?: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; attributes?: Array<{ key: string; value: OtlpValue }> }> }>;
        }>;
      };
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service = String(plain(resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name')?.value) ?? '');
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              service,
              traceId: hexId(span.traceId),
              spanId: hexId(span.spanId),
              parentSpanId: hexId(span.parentSpanId),
              name: span.name,
              attributes: Object.fromEntries((span.attributes ?? []).map((a) => [a.key, plain(a.value)])),
            });
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const specDir = join(repoRoot, 'e2e/specs/trace-across-services');
let collector: Awaited<ReturnType<typeof startCollector>>;
let configDir: string;
let gw: GatewayHandle;

const rlconfig = async (): Promise<string> => (await fetch(`${gw.service('ratelimit').adminUrl}/rlconfig`)).text();
const token = (): string =>
  execFileSync(process.execPath, [join(repoRoot, 'deploy/demo-token/mint-token.mjs'), '--sub', 'tracy'], { encoding: 'utf8' }).trim();

beforeAll(async () => {
  collector = await startCollector();
  configDir = mkdtempSync(join(tmpdir(), 'gatehouse-trace-spec-'));
  copyFileSync(join(specDir, 'gateway.yaml'), join(configDir, 'gateway.yaml'));
  const otel = {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  gw = await startGateway({
    configDir,
    nodeCluster: 'default/traced',
    services: ['xds', 'authz', 'ratelimit'],
    env: { xds: otel, ratelimit: otel, authz: { ...otel, AUTHZ_COOKIE_SECRET: 'trace-spec-cookie-secret-0123456789abcdef' } },
  });
  await waitFor(async () => (await rlconfig()).includes('requests_per_unit=5'), { timeoutMs: 20_000, description: 'the first limit at ratelimit' });
  // Wait until the start-up change's own trace has fully arrived at the collector (spans are exported in
  // batches), so the test below cannot mistake it for the trace of its edit.
  await gw.snapshot();
  await waitFor(() => completeTraces(collector.spans).length > 0, { timeoutMs: 20_000, description: 'the start-up trace at the collector' });
}, 60_000);

const CHANGE_SPANS = ['xds.translate', 'xds.publish', 'xds.apply', 'authz apply policies', 'ratelimit apply published config'];

/** Traces holding every span of one configuration change, from xds translating it to each service applying it. */
function completeTraces(spans: CollectedSpan[]): CollectedSpan[][] {
  const byTrace = new Map<string, CollectedSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  return [...byTrace.values()].filter((trace) => CHANGE_SPANS.every((n) => trace.some((s) => s.name === n)));
}

afterAll(async () => {
  await gw?.stop();
  await collector?.close();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

describe('one trace across services', () => {
  it('follows a YAML edit from xds translate and publish through Redis to authz and ratelimit applying it', async () => {
    const before = new Set(collector.spans.map((s) => s.traceId));
    const file = join(configDir, 'gateway.yaml');
    // Both halves change: the limit (ratelimit's domain) and the audiences (authz's policy).
    writeFileSync(file, readFileSync(file, 'utf8').replace('requests: 5', 'requests: 3').replace('audiences: [demo-api]', 'audiences: [demo-api, demo-api-v2]'));

    const trace = await waitFor(
      () => completeTraces(collector.spans.filter((s) => !before.has(s.traceId)))[0],
      { timeoutMs: 20_000, description: 'spans of xds, authz and ratelimit in one new trace' },
    );
    const span = (name: string): CollectedSpan => trace.find((s) => s.name === name)!;
    const translate = span('xds.translate');
    const publish = span('xds.publish');
    const authz = span('authz apply policies');
    const ratelimit = span('ratelimit apply published config');

    expect([translate.service, publish.service, authz.service, ratelimit.service]).toEqual(['gatehouse-xds', 'gatehouse-xds', 'gatehouse-authz', 'gatehouse-ratelimit']);
    // The chain, parent by parent: translate -> publish -> (over Redis) each service applying it.
    expect(publish.parentSpanId).toBe(translate.spanId);
    expect(authz.parentSpanId).toBe(publish.spanId);
    expect(ratelimit.parentSpanId).toBe(publish.spanId);
    // xds sets the new snapshots after publishing (make-before-break across services), in the same trace.
    expect(span('xds.apply').parentSpanId).toBe(translate.spanId);
    // The limit and the audiences live in ratelimit and authz: Envoy's own config does not change.
    expect(span('xds.apply').attributes['gatehouse.snapshots.changed']).toEqual([]);
    // Tagged with what changed: the edited file, the policy, and the versions published and applied.
    expect(translate.attributes['gatehouse.sources.changed']).toEqual([expect.stringMatching(/gateway\.yaml$/)]);
    expect(translate.attributes['gatehouse.policies']).toEqual(['default/api-jwt']);
    expect(authz.attributes['gatehouse.policies']).toEqual(['default/api-jwt']);
    expect(authz.attributes['gatehouse.config.version']).toBe(publish.attributes['gatehouse.authz.version']);
    expect(ratelimit.attributes['gatehouse.config.version']).toBe(publish.attributes['gatehouse.ratelimit.version']);
    // And it is this edit: ratelimit now serves the new limit.
    expect(await rlconfig()).toContain('requests_per_unit=3');
  });

  it('tags each Check span with the policy and the outcome, inside the trace the request carries', async () => {
    const denied = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parent: '00f067aa0ba902b7' };
    const allowed = { traceId: '5cf92f3577b34da6a3ce929d0e0e4737', parent: '00f067aa0ba902b8' };
    const traceparent = (t: typeof denied): string => `00-${t.traceId}-${t.parent}-01`;
    expect((await gw.request(8080, { path: '/orders', headers: { traceparent: traceparent(denied) } })).status).toBe(401);
    expect((await gw.request(8080, { path: '/orders', headers: { traceparent: traceparent(allowed), authorization: `Bearer ${token()}` } })).status).toBe(200);

    const checks = await waitFor(
      () => {
        const found = [denied, allowed].map((t) => collector.spans.find((s) => s.name === 'authz.check' && s.traceId === t.traceId));
        return found.every(Boolean) ? (found as CollectedSpan[]) : undefined;
      },
      { timeoutMs: 20_000, description: 'the two authz.check spans' },
    );
    expect(checks.map((s) => s.parentSpanId)).toEqual([denied.parent, allowed.parent]);
    expect(checks.map((s) => s.attributes)).toEqual([
      expect.objectContaining({ 'gatehouse.policy': 'default/api-jwt', 'gatehouse.outcome': 'denied', 'gatehouse.reason': 'GH_AUTHZ_JWT_MISSING' }),
      expect.objectContaining({ 'gatehouse.policy': 'default/api-jwt', 'gatehouse.outcome': 'allowed', 'gatehouse.reason': 'jwt' }),
    ]);
  });
});

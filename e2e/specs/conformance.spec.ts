// Gateway API conformance, replayed without Kubernetes: for each test of the suite re-created in
// conformance/*-cases.ts, the suite's base and the test's manifests go through Gatehouse's translation,
// the conditions the test waits for are read from the statuses, and the requests it sends play through
// the emulated Envoy (e2e/harness/envoy) against the Gateway's snapshot: HTTP requests (weighted
// clusters from seeded draws), real datagrams through udp_proxy, real TLS handshakes with the served
// listener certificates and with stand-in TLS backends, certificates made for the run as the suite makes
// its own. Tests that cannot run here are listed, with the reason, in SKIPPED and reported as skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { conditionOf, seededDraws, send, translateManifests } from './conformance/replay.js';
import { selectChain } from '../harness/envoy/tcp-proxy.js';
import { CASES, SKIPPED, type ConformanceCase } from './conformance/cases.js';
import { LISTENERSET_CASES } from './conformance/listenerset-cases.js';
import { UDPROUTE_CASES } from './conformance/udproute-cases.js';
import { startUdpListener } from '../harness/envoy/udp-proxy.js';
import { askUdp, startUdpEchoBackends } from '../harness/conformance/udp-echo.js';
import { makeSuitePki } from '../harness/conformance/suite-pki.js';
import { startStandInBackends } from '../harness/conformance/stand-in-backends.js';
import { handshake, startTlsListener } from '../harness/conformance/tls-listener.js';
import { forwardToUpstream } from '../harness/envoy/forward-upstream.js';
import { emulateRequest } from '../harness/envoy/index.js';
import type { ServedSnapshot } from '../harness/envoy/ads-snapshot.js';
import { tlsCases } from './conformance/tls-cases.js';

// The suite's generated certificates, made for this run (openssl), removed when the file is done.
const pki = makeSuitePki();
afterAll(() => pki.remove());

const ALL_CASES = [...CASES, ...LISTENERSET_CASES, ...UDPROUTE_CASES, ...tlsCases(pki)];
const NO_PEERS = { check: () => Promise.reject(new Error('no authz in conformance')), shouldRateLimit: () => Promise.reject(new Error('no ratelimit in conformance')) };

const base = readFileSync(join(import.meta.dirname, 'conformance', 'base.yaml'), 'utf8');

function translate(testCase: ConformanceCase) {
  const translated = translateManifests([
    { path: 'base.yaml', text: base },
    { path: `${testCase.test}.yaml`, text: testCase.manifests },
  ]);
  expect(translated.fileErrors, 'the manifests load').toEqual([]);
  return translated;
}

interface ListenerJson {
  name: string;
  address?: { socket_address?: { port_value?: number } };
  filter_chains?: Array<{ filter_chain_match?: { server_names?: string[] }; filters?: Array<{ name: string; typed_config?: { cluster?: string } }> }>;
}

interface ListenerStatusJson {
  name: string;
  attachedRoutes?: number;
  supportedKinds?: Array<{ kind: string }>;
  conditions: Array<{ type: string; status: string; reason: string }>;
}

function listenerStatus(statuses: Map<string, unknown>, resource: string, listener: string): ListenerStatusJson | undefined {
  return (statuses.get(resource) as { listeners?: ListenerStatusJson[] } | undefined)?.listeners?.find((l) => l.name === listener);
}

function checkStatuses(statuses: Map<string, unknown>, wanted: Pick<ConformanceCase, 'statuses' | 'supportedKinds' | 'attachedRoutes'>): void {
  for (const status of wanted.statuses ?? []) {
    const condition = status.listener
      ? listenerStatus(statuses, status.resource, status.listener)?.conditions.find((c) => c.type === status.type)
      : conditionOf(statuses as Parameters<typeof conditionOf>[0], status.resource, status.type, status.parent);
    expect(condition, `${status.resource} ${status.listener ?? status.parent ?? ''} ${status.type}`).toMatchObject({ status: status.status, ...(status.reason ? { reason: status.reason } : {}) });
  }
  for (const kinds of wanted.supportedKinds ?? []) {
    expect(listenerStatus(statuses, kinds.resource, kinds.listener)?.supportedKinds?.map((k) => k.kind), `${kinds.resource} ${kinds.listener} supportedKinds`).toEqual(kinds.kinds);
  }
  for (const routes of wanted.attachedRoutes ?? []) {
    expect(listenerStatus(statuses, routes.resource, routes.listener)?.attachedRoutes, `${routes.resource} ${routes.listener} attachedRoutes`).toBe(routes.count);
  }
}

describe.each(['HTTPRoute', 'ReferenceGrant', 'TLSRoute', 'TCPRoute', 'BackendTLSPolicy', 'Gateway', 'ListenerSet', 'UDPRoute'] as const)('Gateway API conformance: %s', (feature) => {
  for (const testCase of ALL_CASES.filter((c) => c.feature === feature)) {
    it(testCase.test, async () => {
      const { snapshots, statuses } = translate(testCase);
      checkStatuses(statuses, testCase);
      if (testCase.update) {
        // The suite edits a live resource and waits for the statuses to follow: here, the edited manifests are translated.
        const edited = translate({ ...testCase, manifests: testCase.manifests.replace(testCase.update.from, testCase.update.to) });
        checkStatuses(edited.statuses, testCase.update);
      }
      if (testCase.gatewayStatus) expect(statuses.get(`Gateway/${testCase.gateway!}`), `Gateway ${testCase.gateway!} status`).toMatchObject(testCase.gatewayStatus);
      if (!testCase.gateway) return;
      const snapshot = snapshots.get(testCase.gateway);
      expect(snapshot, `a snapshot for ${testCase.gateway}`).toBeDefined();
      for (const request of testCase.requests ?? []) {
        const got = await send(snapshot!, request.port ?? testCase.port!, { host: request.host ?? 'example.com', path: request.path, method: request.method ?? 'GET', headers: request.headers ?? {} });
        const at = `${request.method ?? 'GET'} ${request.host ?? 'example.com'}${request.path} ${JSON.stringify(request.headers ?? {})}`;
        expect(got.status, at).toBe(request.expect.status);
        if (request.expect.backend) expect(got.backend, at).toBe(request.expect.backend);
        if (request.expect.path) expect(got.request?.path, at).toBe(request.expect.path);
        if (request.expect.host) expect(got.request?.host, at).toBe(request.expect.host);
        if (request.expect.location) expect(got.headers.location, at).toBe(request.expect.location);
        for (const [name, value] of Object.entries(request.expect.headers ?? {})) expect(got.request?.headers[name], `${at}: request header ${name}`).toBe(value ?? undefined);
        for (const [name, value] of Object.entries(request.expect.responseHeaders ?? {})) expect(got.headers[name], `${at}: response header ${name}`).toBe(value ?? undefined);
      }
      if (testCase.distribution) {
        const { path, count, tolerance, shares } = testCase.distribution;
        const draw = seededDraws(1);
        const seen: Record<string, number> = {};
        for (let i = 0; i < count; i++) {
          const got = await send(snapshot!, testCase.port!, { host: 'example.com', path, weightedPick: draw() });
          expect(got.status, `${path} request ${i}`).toBe(200);
          seen[got.backend!] = (seen[got.backend!] ?? 0) + 1;
        }
        for (const [backend, share] of Object.entries(shares)) {
          const observed = (seen[backend] ?? 0) / count;
          if (share === 0) expect(seen[backend] ?? 0, `${backend} (weight 0) gets no request`).toBe(0);
          else expect(Math.abs(observed - share), `${backend}: ${observed} of the requests, expected ${share}`).toBeLessThanOrEqual(tolerance);
        }
        expect(Object.keys(seen).every((b) => b in shares), `only the route's backends answer: ${Object.keys(seen).join(', ')}`).toBe(true);
      }
      if (testCase.udpDistribution) {
        const { port, count, tolerance, shares } = testCase.udpDistribution;
        const backends = await startUdpEchoBackends(Object.keys(shares));
        const listener = await startUdpListener(snapshot!, port, backends.hosts, { draw: seededDraws(1) });
        const seen: Record<string, number> = {};
        try {
          for (let i = 0; i < count; i++) {
            const backend = await askUdp(listener.port, 'gateway-api-conformance-udp-weight');
            seen[backend] = (seen[backend] ?? 0) + 1;
          }
        } finally {
          await listener.close();
          await backends.close();
        }
        for (const [backend, share] of Object.entries(shares)) {
          if (share === 0) expect(seen[backend] ?? 0, `${backend} (weight 0) gets no session`).toBe(0);
          else expect(Math.abs((seen[backend] ?? 0) / count - share), `${backend}: ${(seen[backend] ?? 0) / count} of the sessions, expected ${share}`).toBeLessThanOrEqual(tolerance);
        }
      }
      if (testCase.datagrams?.length) {
        const backends = await startUdpEchoBackends(testCase.datagrams.map((d) => d.backend));
        try {
          for (const datagram of testCase.datagrams) {
            const listener = await startUdpListener(snapshot!, datagram.port, backends.hosts);
            try {
              expect(await askUdp(listener.port, 'gateway-api-conformance-udp-echo'), `a datagram to UDP listener port ${datagram.port}`).toBe(datagram.backend);
            } finally {
              await listener.close();
            }
          }
        } finally {
          await backends.close();
        }
      }
      if (testCase.handshakes?.length || testCase.upstreamRequests?.length) {
        const backends = await startStandInBackends(pki, testCase.tlsBackends ?? [], testCase.tcpBackends ?? []);
        const listener = testCase.handshakes?.length ? await startTlsListener(snapshot!, testCase.port!, backends.hosts) : undefined;
        try {
          for (const wanted of testCase.handshakes ?? []) {
            const at = `handshake with SNI ${wanted.sni}${wanted.client ? ' and a client certificate' : ''}`;
            const result = await handshake(listener!.port, { servername: wanted.sni, ca: pki.ca, ...(wanted.client ?? {}), send: wanted.send ?? `GET / HTTP/1.1\r\nHost: ${wanted.sni}\r\nConnection: close\r\n\r\n` });
            expect(result.answer !== undefined, `${at}: accepted`).toBe(wanted.expect.accepted);
            if (wanted.expect.serverName) expect(result.serverNames, `${at}: the served certificate`).toContain(wanted.expect.serverName);
            if (wanted.expect.answer) expect(result.answer, at).toContain(wanted.expect.answer);
          }
          for (const wanted of testCase.upstreamRequests ?? []) {
            const emulated = await emulateRequest(snapshot!, testCase.port!, { method: 'GET', path: wanted.path, host: wanted.host, headers: {}, clientAddress: '10.0.0.1' }, NO_PEERS);
            const forwarded = forwardToUpstream(snapshot as ServedSnapshot, emulated, { path: wanted.path }, backends.hosts);
            if ('refused' in wanted.expect) await expect(forwarded, `${wanted.host}${wanted.path}: the upstream handshake is refused`).rejects.toThrow();
            else
              expect(JSON.parse((await forwarded).body), `${wanted.host}${wanted.path}`).toEqual({
                service: wanted.expect.backend,
                sni: wanted.expect.sni,
                ...(wanted.expect.client ? { client: wanted.expect.client } : {}),
              });
          }
        } finally {
          await listener?.close();
          await backends.close();
        }
      }
      for (const connection of testCase.connections ?? []) {
        const listener = (snapshot!.listeners as ListenerJson[]).find((l) => l.address?.socket_address?.port_value === testCase.port);
        expect(listener, `a listener on port ${testCase.port}`).toBeDefined();
        const chain = selectChain(listener as Parameters<typeof selectChain>[0], connection.sni);
        const proxy = chain?.filters?.find((f) => f.name === 'envoy.filters.network.tcp_proxy')?.typed_config;
        expect(proxy?.cluster, `connection with SNI ${connection.sni ?? '(none)'}`).toBe(connection.cluster);
      }
      for (const wanted of testCase.clusters ?? []) {
        const cluster = (snapshot!.clusters ?? []).find((c) => c.name === wanted.name) as { transport_socket?: { typed_config?: Record<string, unknown> } } | undefined;
        const tls = cluster?.transport_socket?.typed_config as
          | {
              sni?: string;
              common_tls_context?: {
                validation_context?: { trusted_ca?: { inline_string?: string }; match_typed_subject_alt_names?: Array<{ matcher: { exact?: string } }> };
                tls_certificate_sds_secret_configs?: Array<{ name: string }>;
              };
            }
          | undefined;
        expect(tls?.sni, `${wanted.name} SNI`).toBe(wanted.sni);
        const validation = tls?.common_tls_context?.validation_context;
        if (wanted.sans) expect(validation?.match_typed_subject_alt_names?.map((s) => s.matcher.exact)).toEqual(wanted.sans);
        if (wanted.trustedCaIncludes) expect(validation?.trusted_ca?.inline_string).toContain(wanted.trustedCaIncludes);
        if (wanted.clientCertificates) expect(tls?.common_tls_context?.tls_certificate_sds_secret_configs?.map((s) => s.name)).toEqual(wanted.clientCertificates);
      }
    });
  }
});

describe('Gateway API conformance: not replayed here', () => {
  for (const skipped of SKIPPED) it.skip(`${skipped.test}: ${skipped.reason}`, () => undefined);
});

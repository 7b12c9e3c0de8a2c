// Journey: a Service backendRef reaches the demo upstream by name. The HTTPRoute names the Service
// "demo-upstream" (no kind, as Gateway API's examples write it); xds serves a STRICT_DNS cluster at that
// name; the emulated Envoy resolves it as compose's DNS would (demo-upstream -> this machine) and the
// real demo upstream (deploy/demo-upstream) echoes the request it got.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXdsWithDemoUpstream, type GatewayHandle, type XdsWithDemoUpstream } from '../harness/index.js';
import { forwardToUpstream } from '../harness/envoy/forward-upstream.js';

let setup: XdsWithDemoUpstream;
let upstreamPort: number;
let gw: GatewayHandle;

beforeAll(async () => {
  setup = await startXdsWithDemoUpstream(join(import.meta.dirname, 'service-backend'));
  ({ gw } = setup);
  upstreamPort = setup.upstream.port;
}, 90_000);

afterAll(async () => {
  await setup?.stop();
});

describe('a Service backendRef', () => {
  it('is a DNS cluster at the Service name, and a request through it reaches the demo upstream', async () => {
    const snapshot = await gw.snapshot();
    const cluster = snapshot.clusters.find((c) => c.name === `service/default/demo-upstream/${upstreamPort}`);
    expect(cluster?.type).toBe('STRICT_DNS');

    const request = { path: '/hello?from=e2e', host: 'demo.example.com' };
    const response = await gw.request(8080, request, snapshot);
    expect(response.status).toBe(200);
    const answer = await forwardToUpstream(snapshot, response, request, { 'demo-upstream': '127.0.0.1' });
    expect(answer.endpoint).toEqual({ host: 'demo-upstream', port: upstreamPort, address: '127.0.0.1' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', path: '/hello?from=e2e', headers: { 'x-forwarded-proto': 'http' } });
  });
});

// Journey: a ListenerSet adds a listener to a Gateway. The Gateway admits sets from its namespace
// (allowedListeners); the set "team" adds an HTTP listener on port 8090 for team.example.com and an
// HTTPRoute attaches to it through a parentRef of kind ListenerSet. A request through the emulated
// Envoy on that port reaches the real demo upstream; the Gateway's own listener does not carry it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXdsWithDemoUpstream, type GatewayHandle, type XdsWithDemoUpstream } from '../harness/index.js';
import { forwardToUpstream } from '../harness/envoy/forward-upstream.js';

let setup: XdsWithDemoUpstream;
let upstreamPort: number;
let gw: GatewayHandle;

beforeAll(async () => {
  setup = await startXdsWithDemoUpstream(join(import.meta.dirname, 'listenerset'));
  ({ gw } = setup);
  upstreamPort = setup.upstream.port;
}, 90_000);

afterAll(async () => {
  await setup?.stop();
});

describe('a ListenerSet listener', () => {
  it('is served on its own port, and a route attached to it reaches the demo upstream', async () => {
    const snapshot = await gw.snapshot();
    const request = { path: '/from-listenerset', host: 'team.example.com' };
    const response = await gw.request(8090, request, snapshot);
    expect(response.status).toBe(200);
    const answer = await forwardToUpstream(snapshot, response, request, { 'demo-upstream': '127.0.0.1' });
    expect(answer.endpoint).toEqual({ host: 'demo-upstream', port: upstreamPort, address: '127.0.0.1' });
    expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', path: '/from-listenerset' });

    // The route's parent is the set, not the Gateway: the Gateway's own listener has no route for it.
    expect((await gw.request(8080, request, snapshot)).status).toBe(404);
  });
});

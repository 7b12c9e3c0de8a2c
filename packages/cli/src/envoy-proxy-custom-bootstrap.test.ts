// EnvoyProxy spec.bootstrap where Envoy starts: `gatehouse bootstrap -f` applies Merge, Replace and JSONPatch
// to the bootstrap it generates, as Envoy Gateway does; a result Envoy would refuse, or one that changes the
// Envoy's tie to xds (node, dynamic_resources, the gatehouse-xds cluster and its mutual TLS), is an error
// naming the problem, and an EnvoyProxy whose bootstrap does not even parse is refused by xds.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvoyResource } from '@gatehouse/xds/testing';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const proxy = (name: string, bootstrap: string) => `---
apiVersion: gateway.envoyproxy.io/v1alpha1
kind: EnvoyProxy
metadata: { name: ${name} }
spec:
  bootstrap:
${bootstrap}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name} }
spec:
  gatewayClassName: gatehouse
  infrastructure: { parametersRef: { group: gateway.envoyproxy.io, kind: EnvoyProxy, name: ${name} } }
  listeners: [{ name: http, protocol: HTTP, port: 8080 }]
`;

const CONFIG = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: gatehouse }
spec: { controllerName: gatehouse.dev/gateway-controller }
${proxy('merged', `    type: Merge
    value: |
      layered_runtime:
        layers:
          - name: static
            static_layer: { overload.global_downstream_max_connections: 50000 }`)}
${proxy('patched', `    type: JSONPatch
    jsonPatches:
      - { op: replace, path: /admin/address/socket_address/port_value, value: 19000 }`)}
${proxy('other-xds', `    type: Replace
    value: |
      node: { id: x, cluster: default/other-xds }
      admin: { address: { socket_address: { address: 127.0.0.1, port_value: 9901 } } }`)}
${proxy('bad-port', `    type: JSONPatch
    jsonPatches:
      - { op: replace, path: /admin/address/socket_address/port_value, value: 70000 }`)}
${proxy('bad-yaml', `    type: Merge
    value: "admin: [unclosed"`)}
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-custom-bootstrap-'));
  await writeFile(join(dir, 'gateway.yaml'), CONFIG);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bootstrap(gateway: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { env: {}, fetch, stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(['bootstrap', '--node-cluster', `default/${gateway}`, '--output', 'json', '-f', dir], io);
  return { code, stderr, bootstrap: code === 0 ? (JSON.parse(stdout) as Record<string, unknown>) : undefined };
}

describe('gatehouse bootstrap -f with an EnvoyProxy bootstrap', () => {
  it('Merge adds to the generated bootstrap, which Envoy accepts and which still reaches xds over mTLS', async () => {
    const r = await bootstrap('merged');
    expect(r.code).toBe(0);
    expect(r.bootstrap!.layered_runtime).toEqual({ layers: [{ name: 'static', static_layer: { 'overload.global_downstream_max_connections': 50000 } }] });
    expect(JSON.stringify(r.bootstrap!.static_resources)).toContain('spiffe://gatehouse/service/xds');
    expect(checkEnvoyResource('envoy.config.bootstrap.v3.Bootstrap', r.bootstrap)).toEqual([]);
  });

  it('JSONPatch applies its operations to the generated bootstrap', async () => {
    const r = await bootstrap('patched');
    expect(r.code).toBe(0);
    expect(r.bootstrap!.admin).toEqual({ address: { socket_address: { address: '127.0.0.1', port_value: 19000 } } });
  });

  it('refuses a result that unties the Envoy from xds, or that Envoy would refuse, naming why', async () => {
    const other = await bootstrap('other-xds');
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("the EnvoyProxy's bootstrap (type Replace) is refused: spec.bootstrap: node must stay as gatehouse bootstrap writes it");
    expect(other.stderr).toContain('the gatehouse-xds cluster (xds\'s address and mutual TLS) must stay as gatehouse bootstrap writes it');
    const port = await bootstrap('bad-port');
    expect(port.code).not.toBe(0);
    expect(port.stderr).toMatch(/spec\.bootstrap: Envoy would refuse the result: .*port_value/);
  });

  it('an EnvoyProxy whose bootstrap is not YAML is refused by xds, so its Gateway is not served', async () => {
    const r = await bootstrap('bad-yaml');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.bootstrap.value: not valid YAML');
  });
});

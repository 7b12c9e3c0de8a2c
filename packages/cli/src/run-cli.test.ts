import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { encodeResource } from '@gatehouse/xds/envoy-json';
import { loadResourcesFromFiles } from '@gatehouse/xds/core';
import { checkEnvoyResource } from '@gatehouse/xds/testing';
import { unpackAny } from '@gatehouse/contracts';
import { makeConfigMapDir } from '@gatehouse/kit/testing';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const TESTDATA = fileURLToPath(new URL('../../../services/xds/testdata/end-to-end/httproute-basic.in.yaml', import.meta.url));
let dir: string;

// The first load compiles the CRD schemas (seconds on a busy machine); do it outside the tests.
beforeAll(async () => {
  loadResourcesFromFiles([{ path: 'warm-up.yaml', text: await readFile(TESTDATA, 'utf8') }]);
}, 60_000);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-cli-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, fetch: () => Promise.reject(new Error('no network in unit tests')) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('gatehouse validate', () => {
  it('passes valid YAML', async () => {
    const r = await run('validate', '-f', TESTDATA);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('reads a ConfigMap-style mount once per file, as the services do', async () => {
    await makeConfigMapDir(dir, { 'gateway.yaml': await readFile(TESTDATA, 'utf8') });
    const r = await run('validate', '-f', dir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^1 file\(s\), /);
  });

  it('reports schema errors with file, line and path, and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: Backend\nmetadata:\n  name: x\nspec:\n  endpoints:\n    - ip: { address: 10.0.0.1, port: "no" }\n');
    const r = await run('validate', '-f', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${file}:7: Backend default/x: /spec/endpoints/0/ip/port: must be integer\n`);
  });

  it('reports YAML syntax errors with the line', async () => {
    await writeFile(join(dir, 'broken.yaml'), 'a: 1\nb: [\n');
    const r = await run('validate', '-f', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken\.yaml:\d+: GH_XDS_YAML_PARSE: /);
  });

  it('reports what only translation sees, such as a reference to a missing Backend', async () => {
    const text = (await readFile(TESTDATA, 'utf8')).split('---').slice(0, -1).join('---');
    await writeFile(join(dir, 'no-backend.yaml'), text);
    const r = await run('validate', '-f', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-backend\.yaml:\d+: HTTPRoute default\/api: \/spec\/rules\/0\/backendRefs\/0: ResolvedRefs=False/);
  });

  it('reports a PartiallyInvalid route on the line of the dropped rule, and exits 1', async () => {
    const gateway = (await readFile(TESTDATA, 'utf8')).split('---').slice(0, 2).join('---');
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: partly }
spec:
  parentRefs: [{ name: web }]
  rules:
    - matches: [{ path: { type: PathPrefix, value: /ok } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: nope }]
    - matches: [{ path: { type: RegularExpression, value: "^/(?!x)" } }]
      backendRefs: [{ group: gateway.envoyproxy.io, kind: Backend, name: nope }]
`;
    await writeFile(join(dir, 'gw.yaml'), gateway);
    await writeFile(join(dir, 'partly.yaml'), route);
    const r = await run('validate', '-f', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'partly.yaml')}:9: HTTPRoute default/partly: /spec/rules/1: PartiallyInvalid=True (UnsupportedValue): spec.rules[1]: regular expression`);
  });

  it('reports a SecurityPolicy field Gatehouse refuses on its line', async () => {
    const gateway = (await readFile(TESTDATA, 'utf8')).split('---').slice(0, 2).join('---');
    const policy = `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: p }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: Gateway, name: web }]
  extAuth:
    http:
      backendRefs: [{ name: auth, port: 8080 }]
      pathOverride: /check
`;
    await writeFile(join(dir, 'gw.yaml'), gateway);
    await writeFile(join(dir, 'policy.yaml'), policy);
    const r = await run('validate', '-f', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'policy.yaml')}:9: SecurityPolicy default/p: /spec/extAuth/http/pathOverride: Accepted=False (Invalid): spec.extAuth.http.pathOverride: pathOverride needs`);
  });
});

describe('gatehouse translate', () => {
  it('prints the Envoy resources per Gateway as JSON', async () => {
    const r = await run('translate', '-f', TESTDATA, '--output', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, { listeners: unknown[]; routes: unknown[]; clusters: unknown[]; endpoints: unknown[]; secrets: unknown[] }>;
    expect(Object.keys(out)).toEqual(['default/web']);
    expect(out['default/web']!.clusters).toHaveLength(1);
  });

  it('prints YAML by default', async () => {
    const r = await run('translate', '-f', TESTDATA);
    expect(Object.keys(parse(r.stdout) as object)).toEqual(['default/web']);
  });
});

describe('gatehouse bootstrap', () => {
  it('prints an Envoy bootstrap that encodes as envoy.config.bootstrap.v3.Bootstrap', async () => {
    const r = await run('bootstrap', '--node-cluster', 'default/web', '--xds-address', 'gatehouse-xds:18000', '--output', 'json');
    expect(r.code).toBe(0);
    const bootstrap = JSON.parse(r.stdout) as Record<string, unknown>;
    const decoded = unpackAny<{ node: { cluster: string }; dynamic_resources: { ads_config: { api_type: string } }; static_resources: { clusters: Array<{ type: string }> } }>(
      encodeResource('type.googleapis.com/envoy.config.bootstrap.v3.Bootstrap', bootstrap),
    );
    expect(decoded.node.cluster).toBe('default/web');
    expect(decoded.dynamic_resources.ads_config.api_type).toBe('GRPC');
    expect(decoded.static_resources.clusters[0]!.type).toBe('STRICT_DNS');
    expect(checkEnvoyResource('envoy.config.bootstrap.v3.Bootstrap', bootstrap)).toEqual([]);
  });

  it("talks mutual TLS 1.3 to xds: the Envoy's certificate and the CA from file-based SDS, xds's identity checked", async () => {
    const r = await run('bootstrap', '--node-cluster', 'default/web', '--xds-address', 'gatehouse-xds:18000', '--output', 'json');
    const cluster = (JSON.parse(r.stdout) as { static_resources: { clusters: Array<Record<string, any>> } }).static_resources.clusters[0]!; // eslint-disable-line @typescript-eslint/no-explicit-any
    const tls = cluster['transport_socket'].typed_config;
    expect(tls['@type']).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
    expect(tls.sni).toBe('gatehouse-xds');
    expect(tls.common_tls_context.tls_params).toEqual({ tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' });
    expect(tls.common_tls_context.tls_certificate_sds_secret_configs[0].sds_config.path_config_source.path).toBe('/etc/envoy/gatehouse-envoy-certificate.json');
    expect(tls.common_tls_context.combined_validation_context.default_validation_context.match_typed_subject_alt_names).toEqual([{ san_type: 'URI', matcher: { exact: 'spiffe://gatehouse/service/xds' } }]);
    expect(r.stderr).toContain('write them with --out or --sds-out');
  });

  it('writes the deployable file with --out, and the SDS files naming the PKI files of that Gateway next to it', async () => {
    const out = join(dir, 'envoy.yaml');
    const r = await run('bootstrap', '--node-cluster', 'default/web', '--delta', '--out', out, '--pki-dir', '/pki/');
    expect(r.code).toBe(0);
    expect(parse(await readFile(out, 'utf8'))).toMatchObject({ dynamic_resources: { ads_config: { api_type: 'DELTA_GRPC' } } });
    const certificate = JSON.parse(await readFile(join(dir, 'gatehouse-envoy-certificate.json'), 'utf8')) as { resources: Array<Record<string, unknown>> };
    const ca = JSON.parse(await readFile(join(dir, 'gatehouse-trusted-ca.json'), 'utf8')) as { resources: Array<Record<string, unknown>> };
    expect(certificate.resources[0]).toMatchObject({
      name: 'gatehouse-envoy-certificate',
      tls_certificate: { certificate_chain: { filename: '/pki/envoy-default-web.crt' }, private_key: { filename: '/pki/envoy-default-web.key' }, watched_directory: { path: '/pki' } },
    });
    expect(ca.resources[0]).toMatchObject({ name: 'gatehouse-trusted-ca', validation_context: { trusted_ca: { filename: '/pki/ca.crt' } } });
    for (const file of [certificate, ca]) {
      const { '@type': type, ...secret } = file.resources[0]!;
      expect(type).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
      expect(checkEnvoyResource('envoy.extensions.transport_sockets.tls.v3.Secret', secret)).toEqual([]);
    }
  });

  it('--plaintext leaves TLS out, says it is insecure, and writes no SDS files', async () => {
    const out = join(dir, 'envoy.yaml');
    const r = await run('bootstrap', '--node-cluster', 'default/web', '--plaintext', '--out', out);
    expect(r.code).toBe(0);
    expect((parse(await readFile(out, 'utf8')) as { static_resources: { clusters: Array<Record<string, unknown>> } }).static_resources.clusters[0]!['transport_socket']).toBeUndefined();
    expect(r.stderr).toContain('INSECURE');
    await expect(readFile(join(dir, 'gatehouse-envoy-certificate.json'))).rejects.toThrow();
  });

  it('refuses a node cluster that is neither namespace/name nor a GatewayClass name (merged Gateways)', async () => {
    expect((await run('bootstrap', '--node-cluster', 'Web')).code).toBe(2);
    expect((await run('bootstrap', '--node-cluster', 'Default/Web')).code).toBe(2);
    expect((await run('bootstrap', '--node-cluster', 'a/b/c')).code).toBe(2);
    expect((await run('bootstrap', '--node-cluster', 'shared', '--plaintext')).code).toBe(0);
  });
});

describe('usage', () => {
  it('exits 2 on an unknown command or option', async () => {
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('validate', '--nope')).code).toBe(2);
  });
});

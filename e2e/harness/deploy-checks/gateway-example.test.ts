import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlFile, validateResource } from '@gatehouse/schemas';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../service.js';

const examplesDir = join(repoRoot, 'deploy', 'examples');
const resources = readdirSync(examplesDir)
  .filter((file) => /\.ya?ml$/.test(file))
  .flatMap((file) => {
    const parsed = parseYamlFile(readFileSync(join(examplesDir, file), 'utf8'), file);
    expect(parsed.errors).toEqual([]);
    return parsed.documents.map((doc) => ({ file, doc: doc.value as any })); // eslint-disable-line @typescript-eslint/no-explicit-any
  });
const byKind = (kind: string) => resources.filter((r) => r.doc.kind === kind).map((r) => r.doc);
const compose = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('deploy/examples', () => {
  it('validates against the vendored CRDs', () => {
    const issues = resources.flatMap(({ file, doc }) =>
      validateResource(doc).map((issue) => `${file}: ${doc.kind} ${doc.metadata?.name}: ${issue.path}: ${issue.message}`),
    );
    expect(issues).toEqual([]);
  });

  it('defines the Gateway that both Envoy bootstraps ask for as node.cluster', () => {
    const gateways = byKind('Gateway').map((g) => `${g.metadata.namespace ?? 'default'}/${g.metadata.name}`);
    for (const file of ['envoy.yaml', 'envoy-local.yaml']) {
      const bootstrap = parse(readFileSync(join(repoRoot, 'deploy', 'envoy', file), 'utf8')) as { node: { cluster: string } };
      expect(gateways).toContain(bootstrap.node.cluster);
    }
  });

  it('listens on the ports the Envoy container publishes', () => {
    const published = (compose.services.envoy.ports as string[]).map((p) => Number(p.split(':').at(-1)));
    for (const gateway of byKind('Gateway')) {
      for (const listener of gateway.spec.listeners) expect(published).toContain(listener.port);
    }
  });

  it('routes to Services and Backends that are compose services on the port they listen on', () => {
    const targets: Array<{ host: string; port: number }> = [];
    for (const backend of byKind('Backend')) for (const endpoint of backend.spec.endpoints) targets.push({ host: endpoint.fqdn.hostname, port: endpoint.fqdn.port });
    // A Service backendRef (no kind) is the compose service name as it is (XDS_SERVICE_DNS_TEMPLATE "{name}").
    for (const route of byKind('HTTPRoute')) {
      for (const rule of route.spec.rules) for (const ref of rule.backendRefs ?? []) if ((ref.kind ?? 'Service') === 'Service') targets.push({ host: ref.name, port: ref.port });
    }
    expect(targets.length).toBeGreaterThan(0);
    for (const { host, port } of targets) {
      const service = compose.services[host];
      expect(service, host).toBeDefined();
      const dockerfile = readFileSync(join(repoRoot, service.build.context, service.build.dockerfile ?? 'Dockerfile'), 'utf8');
      expect(dockerfile).toContain(`EXPOSE ${port}`);
    }
  });
});

describe('deploy/acme', () => {
  const acmeDir = join(repoRoot, 'deploy', 'acme');
  const documents = readdirSync(acmeDir)
    .filter((file) => /\.ya?ml$/.test(file) && !file.startsWith('compose.'))
    .flatMap((file) => {
      const parsed = parseYamlFile(readFileSync(join(acmeDir, file), 'utf8'), file);
      expect(parsed.errors).toEqual([]);
      return parsed.documents.map((doc) => ({ file, doc: doc.value as any })); // eslint-disable-line @typescript-eslint/no-explicit-any
    });

  it('validates against the vendored CRDs (Gateway API and cert-manager)', () => {
    expect(documents.map((d) => d.doc.kind).sort()).toEqual(['ClusterIssuer', 'Gateway', 'GatewayClass', 'HTTPRoute']);
    const issues = documents.flatMap(({ file, doc }) =>
      validateResource(doc).map((issue) => `${file}: ${doc.kind} ${doc.metadata?.name}: ${issue.path}: ${issue.message}`),
    );
    expect(issues).toEqual([]);
  });

  it('changes only the Gateway (HTTPS listener, issuer annotation) and the demo route (attached to it) of deploy/examples/gateway.yaml', () => {
    const base = resources.filter((r) => r.file === 'gateway.yaml').map((r) => r.doc);
    const acme = documents.filter((d) => d.file === 'gateway.yaml').map((d) => d.doc);
    const strip = (doc: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const copy = structuredClone(doc);
      if (copy.kind === 'Gateway') {
        delete copy.metadata.annotations;
        copy.spec.listeners = copy.spec.listeners.filter((l: { protocol: string }) => l.protocol !== 'HTTPS');
      }
      if (copy.kind === 'HTTPRoute') copy.spec.parentRefs = copy.spec.parentRefs.filter((p: { sectionName?: string }) => p.sectionName !== 'https');
      return copy;
    };
    expect(acme.map(strip)).toEqual(base);
  });
});

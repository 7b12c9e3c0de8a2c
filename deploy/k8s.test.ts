// The scale-out manifests: every document validates against the Kubernetes OpenAPI schemas (through
// kubernetes-models), and the wiring between them holds (selectors, replicas, probes, non-root, bootstrap).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { lookupMessage } from '../packages/contracts/src/proto-root.js';
import { protoJsonToObject } from '../e2e/harness/deploy-checks/proto-json.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'k8s');

interface K8sDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

const docs: Array<{ file: string; doc: K8sDoc }> = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
      .map((d) => d.toJS() as K8sDoc | null)
      .filter((doc): doc is K8sDoc => doc !== null)
      .map((doc) => ({ file, doc })),
  );

type Model = new (data: unknown) => { validate(): void };

async function modelClass(apiVersion: string, kind: string): Promise<Model> {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  return ((await import(path)) as Record<string, Model>)[kind]!;
}

type PodSpec = { containers: Array<Record<string, unknown>>; securityContext?: { runAsNonRoot?: boolean } };
const workloads = docs.filter(({ doc }) => doc.kind === 'Deployment' || doc.kind === 'StatefulSet');
const podSpec = (doc: K8sDoc): PodSpec => (doc.spec!.template as { spec: PodSpec }).spec;
const podLabels = (doc: K8sDoc): Record<string, string> => (doc.spec!.template as { metadata: { labels: Record<string, string> } }).metadata.labels;

describe('deploy/k8s', () => {
  it.each(docs.map(({ file, doc }) => [`${file}: ${doc.kind} ${doc.metadata.name}`, doc] as const))('%s validates against the Kubernetes schema', async (_name, doc) => {
    const Model = await modelClass(doc.apiVersion, doc.kind);
    expect(() => new Model(doc).validate()).not.toThrow();
  });

  it('runs several replicas of every Gatehouse service and of Envoy, with a disruption budget', () => {
    for (const name of ['gatehouse-xds', 'gatehouse-authz', 'gatehouse-ratelimit', 'gatehouse-certs', 'envoy']) {
      const deployment = workloads.find(({ doc }) => doc.metadata.name === name)?.doc;
      expect(deployment, name).toBeDefined();
      expect(deployment!.spec!.replicas as number).toBeGreaterThanOrEqual(2);
      expect(docs.some(({ doc }) => doc.kind === 'PodDisruptionBudget' && doc.metadata.name === name), `${name} PDB`).toBe(true);
    }
  });

  it('runs Redis under Sentinel and points every service at the sentinels', () => {
    expect(workloads.find(({ doc }) => doc.metadata.name === 'redis-sentinel')!.doc.spec!.replicas).toBe(3);
    const env = docs.find(({ doc }) => doc.kind === 'ConfigMap' && doc.metadata.name === 'gatehouse-env')!.doc;
    expect(env.data!.REDIS_URL).toMatch(/^redis\+sentinel:\/\/.+\/gatehouse$/);
  });

  it('runs every pod as non-root with probes', () => {
    for (const { doc } of workloads) {
      expect(podSpec(doc).securityContext?.runAsNonRoot, doc.metadata.name).toBe(true);
      for (const container of podSpec(doc).containers) expect(container.readinessProbe, `${doc.metadata.name} readiness`).toBeDefined();
    }
  });

  it('has a workload behind every Service selector', () => {
    for (const { doc } of docs.filter(({ doc }) => doc.kind === 'Service')) {
      const selector = doc.spec!.selector as Record<string, string>;
      const match = workloads.some(({ doc: w }) => Object.entries(selector).every(([k, v]) => podLabels(w)[k] === v));
      expect(match, `Service ${doc.metadata.name}`).toBe(true);
    }
  });

  it('gives Envoy a bootstrap the official Envoy protos accept, pointing at the xds Service over ADS', () => {
    const configMap = docs.find(({ doc }) => doc.metadata.name === 'envoy-bootstrap')!.doc;
    const bootstrap = parseAllDocuments(configMap.data!['envoy.yaml']!)[0]!.toJS() as Record<string, unknown>;
    expect(protoJsonToObject(lookupMessage('envoy.config.bootstrap.v3.Bootstrap'), bootstrap).issues).toEqual([]);
    expect((bootstrap.node as { cluster: string }).cluster).toBe('default/gateway');
    expect(JSON.stringify(bootstrap)).toContain('gatehouse-xds.gatehouse.svc.cluster.local');
    expect((bootstrap.dynamic_resources as { ads_config: { api_type: string } }).ads_config.api_type).toBe('GRPC');
  });
});


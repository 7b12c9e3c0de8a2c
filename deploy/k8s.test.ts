// The scale-out manifests: every document validates against the Kubernetes OpenAPI schemas (through
// kubernetes-models), and the wiring between them holds (selectors, replicas, probes, non-root, bootstrap).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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


// --- Trust: per-install secrets, the PKI, mutual TLS settings and who may reach what.

const setupConfig = docs.find(({ doc }) => doc.kind === 'ConfigMap' && doc.metadata.name === 'gatehouse-setup')!.doc;
const kustomization = parseAllDocuments(setupConfig.data!['kustomization.yaml']!)[0]!.toJS() as { secretGenerator: Array<{ name: string; files: string[] }> };
const generatedSecrets = kustomization.secretGenerator.map((g) => g.name);
type Volume = { name: string; secret?: { secretName: string }; projected?: unknown };
type Container = { name: string; env?: Array<{ name: string; value?: string }>; volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }> };

describe('deploy/k8s trust', () => {
  it('writes no secret value: no Secret documents, no change-me placeholders; the setup Job generates them', () => {
    expect(docs.filter(({ doc }) => doc.kind === 'Secret')).toEqual([]);
    for (const file of readdirSync(dir)) expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/change-me/i);
    expect(setupConfig.data!['setup.sh']).toContain('for name in ADMIN_TOKEN CERTS_ENCRYPTION_KEY AUTHZ_COOKIE_SECRET REDIS_PASSWORD');
    const role = docs.find(({ doc }) => doc.kind === 'Role' && doc.metadata.name === 'gatehouse-setup')!.doc as unknown as { rules: Array<{ resourceNames?: string[] }> };
    expect(role.rules.flatMap((r) => r.resourceNames ?? []).sort()).toEqual([...generatedSecrets].sort());
  });

  it.each(['xds', 'authz', 'ratelimit', 'certs'])('runs %s with mutual TLS from its own PKI Secret, read-only', (svc) => {
    const deployment = workloads.find(({ doc }) => doc.metadata.name === `gatehouse-${svc}`)!.doc;
    const spec = podSpec(deployment) as unknown as { volumes: Volume[]; containers: Container[] };
    const volume = spec.volumes.find((v) => v.secret?.secretName === `gatehouse-pki-${svc}`);
    expect(volume, `${svc} mounts gatehouse-pki-${svc}`).toBeDefined();
    expect(spec.volumes.filter((v) => v.secret?.secretName.startsWith('gatehouse-pki-')).length, 'only its own').toBe(1);
    const container = spec.containers[0]!;
    expect(container.volumeMounts).toContainEqual({ name: volume!.name, mountPath: '/etc/gatehouse/pki', readOnly: true });
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ TLS_CERT_FILE: `/etc/gatehouse/pki/${svc}.crt`, TLS_KEY_FILE: `/etc/gatehouse/pki/${svc}.key` });
    expect(kustomization.secretGenerator.find((g) => g.name === `gatehouse-pki-${svc}`)!.files).toEqual(['pki/ca.crt', `pki/${svc}.crt`, `pki/${svc}.key`]);
    const common = docs.find(({ doc }) => doc.kind === 'ConfigMap' && doc.metadata.name === 'gatehouse-env')!.doc.data!;
    expect(common).toMatchObject({ TLS_CA_FILE: '/etc/gatehouse/pki/ca.crt', REDIS_USERNAME: 'gatehouse' });
    expect(JSON.stringify(docs.map((d) => d.doc))).not.toContain('GATEHOUSE_INSECURE_PLAINTEXT');
  });

  it("the setup Job's script writes every file its kustomization names, and a second run (old Secrets mounted) keeps them", () => {
    const root = mkdtempSync(join(tmpdir(), 'gh-k8s-setup-'));
    try {
      const cli = join(dir, '..', '..', 'packages', 'cli', 'dist', 'main.js');
      const script = setupConfig.data!['setup.sh']!.replaceAll('/work', `${root}/work`)
        .replaceAll('/existing', `${root}/existing`)
        .replaceAll('/setup/', `${root}/setup/`)
        .replace('node services/cli/dist/main.js', `"${process.execPath}" "${cli}"`)
        .replace('node -e', `"${process.execPath}" -e`);
      mkdirSync(join(root, 'setup'));
      writeFileSync(join(root, 'setup', 'kustomization.yaml'), setupConfig.data!['kustomization.yaml']!);
      execFileSync('sh', ['-c', script]);
      const read = (path: string) => readFileSync(join(root, 'work', path), 'utf8');
      for (const file of kustomization.secretGenerator.flatMap((g) => g.files)) expect(read(file).length, file).toBeGreaterThan(0);
      expect(read('secrets/CERTS_ENCRYPTION_KEY')).toMatch(/^[0-9a-f]{64}$/);
      expect(read('pki/xds.crt')).toContain('BEGIN CERTIFICATE');
      const first = ['pki/ca.crt', 'pki/xds.crt', 'secrets/ADMIN_TOKEN'].map(read);
      // The Secrets the first run applied come back as the optional mounts of the second.
      cpSync(join(root, 'work', 'pki'), join(root, 'existing', 'pki'), { recursive: true });
      cpSync(join(root, 'work', 'secrets'), join(root, 'existing', 'secrets'), { recursive: true });
      rmSync(join(root, 'work'), { recursive: true });
      execFileSync('sh', ['-c', script]);
      expect(['pki/ca.crt', 'pki/xds.crt', 'secrets/ADMIN_TOKEN'].map(read)).toEqual(first);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("mounts the Gateway's Envoy certificate into Envoy, and every PKI Secret a pod mounts is one the Job makes", () => {
    const envoy = podSpec(workloads.find(({ doc }) => doc.metadata.name === 'envoy')!.doc) as unknown as { volumes: Volume[] };
    expect(envoy.volumes.map((v) => v.secret?.secretName)).toContain('gatehouse-pki-envoy-default-gateway');
    for (const { doc } of workloads) {
      for (const v of (podSpec(doc) as unknown as { volumes?: Volume[] }).volumes ?? []) {
        if (v.secret?.secretName.startsWith('gatehouse-')) expect(generatedSecrets, `${doc.metadata.name} ${v.secret.secretName}`).toContain(v.secret.secretName);
      }
    }
  });
});

// A small NetworkPolicy evaluator (ingress, same-namespace pod selectors, matchLabels and In expressions):
// enough to read the policies as a table of who reaches what.
type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values: string[] }> };
type Policy = { podSelector: Selector; ingress?: Array<{ from?: Array<{ podSelector?: Selector; namespaceSelector?: Selector }>; ports?: Array<{ port: number }> }> };
const policies = docs.filter(({ doc }) => doc.kind === 'NetworkPolicy').map(({ doc }) => doc.spec as unknown as Policy);
function selects(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => e.operator === 'In' && e.values.includes(labels[e.key] ?? ''));
  return byLabel && byExpression;
}
/** `from`: the app.kubernetes.io/name of a pod in this namespace, or 'outside' (a backend, another namespace). */
function reaches(from: string, to: string, port: number): boolean {
  const target = { 'app.kubernetes.io/name': to };
  const applying = policies.filter((p) => selects(p.podSelector, target));
  if (applying.length === 0) return true;
  return applying.some((p) =>
    (p.ingress ?? []).some((rule) => {
      const portOk = !rule.ports || rule.ports.some((r) => r.port === port);
      const peerOk = !rule.from || rule.from.some((peer) => from !== 'outside' && peer.podSelector !== undefined && !peer.namespaceSelector && selects(peer.podSelector, { 'app.kubernetes.io/name': from }));
      return portOk && peerOk;
    }),
  );
}

describe('deploy/k8s NetworkPolicies', () => {
  const services = { 'gatehouse-xds': [18000, 19000], 'gatehouse-authz': [9001, 9002], 'gatehouse-ratelimit': [8081, 6070], 'gatehouse-certs': [9101, 9102] } as const;

  it('lets no backend reach Redis, Sentinel, any service port or admin port; only Envoy listeners are open', () => {
    expect(reaches('outside', 'envoy', 8080)).toBe(true);
    expect(reaches('outside', 'envoy', 8443)).toBe(true);
    expect(reaches('outside', 'envoy', 9901)).toBe(false);
    expect(reaches('outside', 'redis', 6379)).toBe(false);
    expect(reaches('outside', 'redis-sentinel', 26379)).toBe(false);
    for (const [svc, ports] of Object.entries(services)) for (const port of ports) expect(reaches('outside', svc, port), `${svc}:${port}`).toBe(false);
  });

  it('lets only Envoy reach the gRPC ports (and certs HTTP-01), and only pods of the namespace the admin ports', () => {
    for (const [svc, [grpc, admin]] of Object.entries(services)) {
      expect(reaches('envoy', svc, grpc), `envoy -> ${svc}`).toBe(true);
      for (const other of Object.keys(services)) expect(reaches(other, svc, grpc), `${other} -> ${svc} gRPC`).toBe(false);
      expect(reaches('gatehouse-setup', svc, admin), `in-namespace -> ${svc} admin`).toBe(true);
    }
    expect(reaches('envoy', 'gatehouse-certs', 8089)).toBe(true);
  });

  it('lets only the services, Redis and Sentinel reach Redis', () => {
    for (const svc of Object.keys(services)) expect(reaches(svc, 'redis', 6379), svc).toBe(true);
    expect(reaches('redis', 'redis', 6379)).toBe(true);
    expect(reaches('redis-sentinel', 'redis', 6379)).toBe(true);
    expect(reaches('envoy', 'redis', 6379)).toBe(false);
    expect(reaches('gatehouse-setup', 'redis', 6379)).toBe(false);
  });
});

describe('deploy/k8s Redis ACL', () => {
  it("runs redis.sh's redis-server: the default user off, the services' user without admin commands, a replica user that only replicates", async () => {
    const scripts = docs.find(({ doc }) => doc.kind === 'ConfigMap' && doc.metadata.name === 'redis-scripts')!.doc.data!;
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-k8s-redis-'));
    const { freePort } = await import('../e2e/harness/free-port.js');
    const port = await freePort();
    const password = 'k8s-test-password-0123456789';
    // As in the pod, but no sentinel to ask (so this one is the master), on a free port and a temp folder.
    const script = scripts['redis.sh']!.replace('redis-cli -h redis-sentinel', 'false').replace('--dir /data', `--dir ${dataDir}`).replace('exec redis-server "$@"', `exec redis-server "$@" --port ${port}`);
    const { spawn, spawnSync } = await import('node:child_process');
    const redis = spawn('sh', ['-c', script], { env: { ...process.env, HOSTNAME: 'redis-0', REDIS_PASSWORD: password }, stdio: 'ignore' });
    // redis-cli prints error replies and exits 0; a refused connection exits 1 (still starting).
    const cli = (user: string | undefined, ...args: string[]) => {
      const r = spawnSync('redis-cli', ['-p', String(port), ...(user ? ['--user', user] : []), ...args], { encoding: 'utf8', env: { ...process.env, ...(user ? { REDISCLI_AUTH: password } : {}) } });
      return `${r.stdout}${r.stderr}`.trim();
    };
    try {
      for (let i = 0; i < 100 && !/PONG/.test(cli('gatehouse', 'PING')); i++) await new Promise((r) => setTimeout(r, 100));
      expect(cli('gatehouse', 'PING')).toBe('PONG');
      expect(cli('gatehouse', 'SET', 'k', 'v')).toBe('OK');
      expect(cli('gatehouse', 'CONFIG', 'GET', 'maxmemory-policy')).toMatch(/NOPERM/);
      expect(cli('gatehouse', 'FLUSHALL')).toMatch(/NOPERM/);
      expect(cli(undefined, 'GET', 'k')).toMatch(/NOAUTH/);
      expect(cli('replica', 'GET', 'k')).toMatch(/NOPERM/);
      expect(cli('sentinel', 'GET', 'k')).toMatch(/NOPERM/);
      expect(cli('sentinel', 'INFO', 'memory')).toMatch(/maxmemory_policy:volatile-lru/);
    } finally {
      redis.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

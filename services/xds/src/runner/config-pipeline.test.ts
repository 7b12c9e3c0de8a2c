import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { SnapshotStore } from '../core/cache/index.js';
import { loadResourcesFromFiles, parseDocuments, toStoredResource, translateAll, type SideEffects, type TranslateOptions } from '../core/index.js';
import { ConfigPipeline, type ApplyReport } from './config-pipeline.js';

const BASIC = readFileSync(new URL('../../testdata/end-to-end/httproute-basic.in.yaml', import.meta.url), 'utf8');
const OPTIONS: TranslateOptions = {
  authz: { clusterName: 'gatehouse-authz', host: '127.0.0.1', port: 9001 },
  rateLimit: { clusterName: 'gatehouse-ratelimit', host: '127.0.0.1', port: 8081 },
  certs: { clusterName: 'gatehouse-certs', host: '127.0.0.1', port: 8089 },
};

// The first load compiles the CRD schemas (seconds on a busy machine); do it outside the tests.
beforeAll(() => {
  loadResourcesFromFiles([{ path: 'warm-up.yaml', text: BASIC }]);
}, 60_000);

function setup() {
  const store = new SnapshotStore();
  const published: SideEffects[] = [];
  const pipeline = new ConfigPipeline({
    store,
    translate: (resources) => translateAll(resources, OPTIONS),
    publish: async (effects) => published.push(effects),
  });
  return { store, pipeline, published };
}

const endpointPort = (store: SnapshotStore): unknown =>
  JSON.stringify([...(store.get('default/web')?.entries(TypeUrls.clusterLoadAssignment).values() ?? [])].map((e) => e.resource)).match(/"port_value":(\d+)/)?.[1];

describe('ConfigPipeline', () => {
  it('translates watched files into a snapshot per Gateway and publishes side effects', async () => {
    const t = setup();
    t.pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await t.pipeline.flush();
    expect(t.store.nodeClusters()).toEqual(['default/web']);
    expect(endpointPort(t.store)).toBe('3000');
    expect(t.published).toHaveLength(1);
  });

  it('publishes the latest side effects again when publishing failed (Redis down past its retries)', async () => {
    const store = new SnapshotStore();
    const published: SideEffects[] = [];
    const errors: unknown[] = [];
    let failures = 2;
    const pipeline = new ConfigPipeline({
      store,
      translate: (resources) => translateAll(resources, OPTIONS),
      publish: async (effects) => {
        if (failures-- > 0) throw new Error('Connection is closed.');
        published.push(effects);
      },
      onError: (err) => errors.push(err),
      publishRetryMs: 5,
    });
    pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await pipeline.flush();
    await vi.waitFor(() => expect(published).toHaveLength(1), { timeout: 5_000 });
    expect(errors).toHaveLength(2);
  });

  it('keeps serving the last good version of a file that stops parsing, and reports it', async () => {
    const t = setup();
    t.pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await t.pipeline.flush();
    const before = t.store.get('default/web');
    t.pipeline.setFiles([{ path: 'gw.yaml', text: `${BASIC}\n---\nkind: [unclosed` }]);
    await t.pipeline.flush();
    expect(t.store.get('default/web')).toBe(before);
    expect(t.pipeline.state().fileErrors[0]).toMatchObject({ file: 'gw.yaml', keptPrevious: true });
  });

  it('keeps serving the last accepted version of a resource whose new version is invalid, reports it once and counts it', async () => {
    const store = new SnapshotStore();
    const reports: ApplyReport[] = [];
    let observed = 0;
    const pipeline = new ConfigPipeline({
      store,
      translate: (resources) => translateAll(resources, OPTIONS),
      onApplied: (report) => reports.push(report),
      onLastGood: (lastGood) => void (observed = lastGood.current?.stale.length ?? -1),
    });
    pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await pipeline.flush();
    pipeline.setFiles([{ path: 'gw.yaml', text: BASIC.replace('port: 3000', 'port: "three thousand"') }]);
    await pipeline.flush();
    expect(endpointPort(store)).toBe('3000');
    expect(observed).toBe(1);
    expect(reports.at(-1)!.refused).toEqual([expect.objectContaining({ key: 'Backend/default/api', generation: 2, servingGeneration: 1 })]);
    const status = pipeline.state().statuses.get('Backend/default/api') as { conditions: Array<{ status: string; message: string }> };
    expect(status.conditions[0]).toMatchObject({ status: 'False', message: expect.stringContaining('gw.yaml:') });
    expect(status.conditions[0]!.message).toContain('generation 1 (the last accepted version) keeps serving');

    pipeline.setFiles([{ path: 'gw.yaml', text: BASIC.replace('port: 3000', 'port: 3001') }]);
    await pipeline.flush();
    expect(endpointPort(store)).toBe('3001');
    expect(observed).toBe(0);
  });

  it('lets an admin-API resource win over the file with the same kind, namespace and name', async () => {
    const t = setup();
    t.pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    const override = parseDocuments(BASIC.split('---').at(-1)!.replace('port: 3000', 'port: 4000'));
    expect(override.errors).toEqual([]);
    t.pipeline.setAdminResources(override.resources.map(toStoredResource));
    await t.pipeline.flush();
    expect(endpointPort(t.store)).toBe('4000');
  });

  it('dry run shows the Envoy diff without applying it', async () => {
    const t = setup();
    t.pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await t.pipeline.flush();
    const docs = parseDocuments(BASIC.split('---').at(-1)!.replace('port: 3000', 'port: 5000'));
    const diff = t.pipeline.dryRun(docs.resources);
    expect(Object.keys(diff['default/web']!)).toEqual(['endpoints']);
    expect(JSON.stringify(diff['default/web']!['endpoints']!.changed[0]!.after)).toContain('5000');
    expect(endpointPort(t.store)).toBe('3000');
  });

  it('dry run of an invalid edit shows no change: the last good version would keep serving', async () => {
    const t = setup();
    t.pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await t.pipeline.flush();
    const docs = parseDocuments(BASIC.split('---').at(-1)!.replace('port: 3000', 'prt: 3000'));
    expect(docs.resources[0]!.issues?.length).toBeGreaterThan(0);
    expect(t.pipeline.dryRun(docs.resources)).toEqual({});
    // and a dry run records nothing: the next real translation still counts generation 1 as serving
    expect(endpointPort(t.store)).toBe('3000');
  });
});

describe('ConfigPipeline started paused', () => {
  it('translates nothing until resumed, then everything at once', async () => {
    const store = new SnapshotStore();
    const pipeline = new ConfigPipeline({ store, translate: (r) => translateAll(r, OPTIONS), paused: true });
    pipeline.setFiles([{ path: 'gw.yaml', text: BASIC }]);
    await pipeline.flush();
    expect(store.nodeClusters()).toEqual([]);
    pipeline.setAdminResources(parseDocuments(BASIC.split('---').at(-1)!.replace('port: 3000', 'port: 4100')).resources.map(toStoredResource));
    pipeline.resume();
    expect(endpointPort(store)).toBe('4100');
  });
});

// The last-good rule, per resource, on the walkthrough's files (deploy/examples): an invalid new
// version keeps its last accepted one serving and says so; a valid one serves at once; a resource
// that was never valid is not served; a deleted one is deleted.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadResourcesFromFiles, translateAll, type GatewayResource, type ResourceStatus, type TranslateOptions, type TranslateResult } from '../core/index.js';
import { LastGoodResources } from './last-good-resources.js';

const GATEWAY = readFileSync(new URL('../../../../deploy/examples/gateway.yaml', import.meta.url), 'utf8');
const JWT_API = readFileSync(new URL('../../../../deploy/examples/jwt-api.yaml', import.meta.url), 'utf8');
const OPTIONS: TranslateOptions = {
  authz: { clusterName: 'gatehouse-authz', host: '127.0.0.1', port: 9001 },
  rateLimit: { clusterName: 'gatehouse-ratelimit', host: '127.0.0.1', port: 8081 },
  certs: { clusterName: 'gatehouse-certs', host: '127.0.0.1', port: 8089 },
};
const BTP = 'BackendTrafficPolicy/default/api-per-user-limit';
const POLICY = 'SecurityPolicy/default/api-jwt';

const load = (jwtApi: string): GatewayResource[] =>
  loadResourcesFromFiles([
    { path: 'gateway.yaml', text: GATEWAY },
    { path: 'jwt-api.yaml', text: jwtApi },
  ]).resources;
const translate = (resources: readonly GatewayResource[]): TranslateResult => translateAll(resources, OPTIONS);

/** The rate_limits of the /api route, as served. */
function apiRateLimits(result: TranslateResult): unknown {
  const routes = result.snapshots.get('default/gateway')!.routes as Array<{ virtual_hosts: Array<{ routes: Array<{ match: { path_separated_prefix?: string }; route?: { rate_limits?: unknown } }> }> }>;
  return routes.flatMap((rc) => rc.virtual_hosts.flatMap((vh) => vh.routes)).find((r) => r.match.path_separated_prefix === '/api')?.route?.rate_limits;
}
const accepted = (status: ResourceStatus | undefined) => (status && 'ancestors' in status ? status.ancestors.flatMap((a) => a.conditions) : []);

beforeAll(() => void load(JWT_API), 60_000);

describe('last good, per resource', () => {
  it('keeps a BackendTrafficPolicy with a typo serving its last accepted version, reported on its status', () => {
    const lastGood = new LastGoodResources();
    const good = lastGood.translate(load(JWT_API), translate);
    expect(apiRateLimits(good.result)).toBeDefined();

    const typo = lastGood.translate(load(JWT_API.replace('requests: 5', 'reqests: 5')), translate);
    expect(apiRateLimits(typo.result)).toEqual(apiRateLimits(good.result));
    expect(typo.result.rateLimitDomains).toEqual(good.result.rateLimitDomains);
    const [condition] = accepted(typo.result.statuses.get(BTP));
    expect(condition).toMatchObject({ type: 'Accepted', status: 'False', reason: 'Invalid' });
    expect(condition!.message).toMatch(/^jwt-api\.yaml:\d+: BackendTrafficPolicy default\/api-per-user-limit: \/spec\/rateLimit\/global\/rules\/0\/limit\/requests: GH_XDS_SCHEMA: required field is missing; /);
    expect(condition!.message).toContain('generation 2 is refused, generation 1 (the last accepted version) keeps serving');
    expect(typo.lastGood.stale.map((e) => e.key)).toEqual([BTP]);
    expect(typo.newlyRefused).toEqual([expect.objectContaining({ key: BTP, generation: 2, servingGeneration: 1 })]);
    // Reported once per version.
    expect(lastGood.translate(load(JWT_API.replace('requests: 5', 'reqests: 5')), translate).newlyRefused).toEqual([]);

    const fixed = lastGood.translate(load(JWT_API.replace('requests: 5', 'requests: 7')), translate);
    expect(fixed.result.rateLimitDomains[0]!.yaml).toContain('requests_per_unit: 7');
    expect(accepted(fixed.result.statuses.get(BTP))[0]).toMatchObject({ status: 'True' });
    expect(fixed.lastGood.stale).toEqual([]);
  });

  it('keeps the last accepted SecurityPolicy when the new one is invalid, so the route stays protected by it', () => {
    const lastGood = new LastGoodResources();
    const good = lastGood.translate(load(JWT_API), translate);
    const broken = lastGood.translate(load(JWT_API.replace('audiences: [demo-api]', 'audiences: demo-api')), translate);
    expect(broken.result.authzPolicies).toEqual(good.result.authzPolicies);
    expect(broken.result.snapshots).toEqual(good.result.snapshots);
    expect(accepted(broken.result.statuses.get(POLICY))[0]!.message).toContain('generation 1 (the last accepted version) keeps serving');
  });

  it('does not serve a resource that was never valid: an invalid SecurityPolicy fails closed as without the rule', () => {
    const lastGood = new LastGoodResources();
    const resources = load(JWT_API.replace('audiences: [demo-api]', 'audiences: demo-api'));
    const first = lastGood.translate(resources, translate);
    expect(first.result).toEqual(translate(resources));
    expect(first.lastGood.refused.map((r) => r.key)).toContain(POLICY);
    expect(first.lastGood.serving.map((e) => e.key)).not.toContain(POLICY);
    expect(first.newlyRefused.map((r) => r.key)).toContain(POLICY);
  });

  it('puts back the last accepted version of a resource the Gateway API stage refuses, and translates again', () => {
    const lastGood = new LastGoodResources();
    const good = lastGood.translate(load(JWT_API), translate);
    // Valid to the schema, but it targets a route that does not exist: accepted nowhere.
    const retargeted = lastGood.translate(load(JWT_API.replace(/(kind: HTTPRoute\n\s+name: )api(\n {2}rateLimit)/, '$1nope$2')), translate);
    expect(apiRateLimits(good.result)).toBeDefined();
    expect(apiRateLimits(retargeted.result)).toEqual(apiRateLimits(good.result));
    const [condition] = accepted(retargeted.result.statuses.get(BTP));
    expect(condition).toMatchObject({ status: 'False', reason: 'Invalid' });
    expect(condition!.message).toMatch(/GH_XDS_RESOURCE_REFUSED: TargetNotFound: .*generation 1 \(the last accepted version\) keeps serving/);
  });

  it('deletes a deleted resource, and serves a file that no longer parses from its last good parse', () => {
    const lastGood = new LastGoodResources();
    expect(apiRateLimits(lastGood.translate(load(JWT_API), translate).result)).toBeDefined();
    const withoutPolicy = lastGood.translate(load(JWT_API.split('---\napiVersion: gateway.envoyproxy.io/v1alpha1\nkind: BackendTrafficPolicy')[0]!), translate);
    expect(apiRateLimits(withoutPolicy.result)).toBeUndefined();
    expect(withoutPolicy.result.statuses.has(BTP)).toBe(false);
    expect(withoutPolicy.lastGood.stale).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { compileRule, rewriteForCelJs } from './cel-environment.js';
import { celIssues, fieldPathToPointer, isTransitionRule, type StructuralNode, type ValidationRule } from './cel-validation.js';
import { crdsDir } from './crd-catalog.js';
import { catalogFromYaml, readCrdTexts } from './crd-sources.js';
import { validateResource } from './validate-resource.js';

/** Every rule of every CRD Gatehouse validates against, with where it sits. */
function everyRule(): Array<{ where: string; rule: ValidationRule }> {
  const found: Array<{ where: string; rule: ValidationRule }> = [];
  const walk = (node: StructuralNode & Record<string, unknown>, where: string): void => {
    for (const rule of node['x-kubernetes-validations'] ?? []) found.push({ where, rule });
    for (const [key, child] of Object.entries(node.properties ?? {})) walk(child as never, `${where}.${key}`);
    if (node.items) walk(node.items as never, `${where}[]`);
    if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as never, `${where}{}`);
    for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) for (const sub of (node[junctor] as never[] | undefined) ?? []) walk(sub, where);
  };
  for (const [key, crd] of catalogFromYaml(readCrdTexts(crdsDir))) walk(crd.openAPIV3Schema as never, key);
  return found;
}

// Rules that are not compiled here, each with why. Transition rules read `oldSelf` (the stored
// object on an update); a document here is always new, so the API server would not run them either.
const NOT_RUN = new Map<string, string>([['self == oldSelf', 'GatewayClass spec.controllerName is immutable: a transition rule, for updates only']]);

const meta = { name: 'p', namespace: 'default' };
const egPolicy = (kind: string, spec: Record<string, unknown>) => ({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind, metadata: meta, spec });
const gwapi = (kind: string, spec: Record<string, unknown>, version = 'v1') => ({ apiVersion: `gateway.networking.k8s.io/${version}`, kind, metadata: meta, spec });
const toRoute = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'r' }];
const toGateway = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'g' }];

describe('CRD CEL rules', () => {
  it('compiles every rule and messageExpression of every CRD, except the transition rules listed', () => {
    const rules = everyRule();
    expect(rules.length).toBeGreaterThan(500);
    const failures: string[] = [];
    for (const { where, rule } of rules) {
      if (isTransitionRule(rule)) {
        expect(NOT_RUN.has(rule.rule), `${where}: transition rule not listed: ${rule.rule}`).toBe(true);
        continue;
      }
      for (const expression of [rule.rule, rule.messageExpression].filter((e): e is string => e !== undefined)) {
        const compiled = compileRule(expression);
        if (!compiled.ok) failures.push(`${where}: ${expression}: ${compiled.message}`);
      }
    }
    expect(failures).toEqual([]);
    expect([...NOT_RUN.keys()].every((rule) => rules.some((r) => r.rule.rule === rule))).toBe(true);
  });

  it('refuses a BackendTrafficPolicy with both compression and compressor (a rule on spec)', () => {
    const policy = egPolicy('BackendTrafficPolicy', { targetRefs: toRoute, compression: [{ type: 'Gzip' }], compressor: [{ type: 'Gzip' }] });
    expect(validateResource(policy)).toEqual([{ path: '/spec', message: 'either compression or compressor can be set, not both' }]);
    expect(validateResource(egPolicy('BackendTrafficPolicy', { targetRefs: toRoute, compressor: [{ type: 'Gzip' }] }))).toEqual([]);
    expect(validateResource(policy, { celRules: false })).toEqual([]);
  });

  it('refuses a policy target outside gateway.networking.k8s.io and mergeType on a Gateway target', () => {
    const foreign = egPolicy('BackendTrafficPolicy', { targetRefs: [{ group: 'example.com', kind: 'HTTPRoute', name: 'r' }] });
    expect(validateResource(foreign)).toContainEqual({ path: '/spec', message: 'this policy can only have a targetRefs[*].group of gateway.networking.k8s.io' });
    const merged = egPolicy('BackendTrafficPolicy', { targetRefs: toGateway, mergeType: 'StrategicMerge' });
    expect(validateResource(merged)).toEqual([{ path: '/spec', message: 'mergeType can only be used with xRoute targets' }]);
    expect(validateResource(egPolicy('BackendTrafficPolicy', { targetRefs: toRoute, mergeType: 'StrategicMerge' }))).toEqual([]);
  });

  it('runs a rule under list items once per element, at that element (rate limit cost)', () => {
    const rules = [
      { limit: { requests: 10, unit: 'Second' }, cost: { request: { from: 'Number', number: 1 } } },
      { limit: { requests: 10, unit: 'Second' }, cost: { request: { from: 'Metadata', number: 1, metadata: { namespace: 'n', key: 'k' } } } },
    ];
    const policy = egPolicy('BackendTrafficPolicy', { targetRefs: toRoute, rateLimit: { type: 'Global', global: { rules } } });
    expect(validateResource(policy)).toEqual([{ path: '/spec/rateLimit/global/rules/1/cost/request', message: 'only one of number or metadata can be specified' }]);
  });

  it('compares durations (http2 keepalive timeout < interval) and applies the CRD defaults first', () => {
    const policy = (timeout: string) => egPolicy('BackendTrafficPolicy', { targetRefs: toRoute, http2: { connectionKeepalive: { interval: '30s', timeout } } });
    expect(validateResource(policy('1m'))).toEqual([{ path: '/spec/http2/connectionKeepalive', message: 'timeout must be less than interval' }]);
    expect(validateResource(policy('5s'))).toEqual([]);
  });

  it('checks HTTPRoute rules on nested lists and filters with the CRD messages', () => {
    const route = (filters: unknown[], backendRefs: unknown[] = [{ name: 's', port: 80 }]) => gwapi('HTTPRoute', { parentRefs: [{ name: 'g' }], rules: [{ filters, backendRefs }] });
    expect(validateResource(route([{ type: 'RequestHeaderModifier' }]))).toEqual([
      { path: '/spec/rules/0/filters/0', message: 'filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type' },
    ]);
    expect(validateResource(route([], [{ name: 's' }]))).toEqual([{ path: '/spec/rules/0/backendRefs/0', message: 'Must have port for Service reference' }]);
    expect(validateResource(route([{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x', value: 'y' }] } }]))).toEqual([]);
  });

  it('checks parentRefs of every route kind (sectionName required for two refs to one parent)', () => {
    const message = 'sectionName must be specified when parentRefs includes 2 or more references to the same parent';
    for (const [kind, version] of [['HTTPRoute', 'v1'], ['GRPCRoute', 'v1'], ['TCPRoute', 'v1'], ['TLSRoute', 'v1'], ['UDPRoute', 'v1']] as const) {
      const extra = kind === 'TLSRoute' ? { hostnames: ['a.example'] } : {};
      const rules = [{ backendRefs: [{ name: 's', port: 80 }] }];
      const twice = gwapi(kind, { parentRefs: [{ name: 'g' }, { name: 'g', sectionName: 'a' }], rules, ...extra }, version);
      expect(validateResource(twice), kind).toContainEqual({ path: '/spec/parentRefs', message });
      const fine = gwapi(kind, { parentRefs: [{ name: 'g', sectionName: 'b' }, { name: 'g', sectionName: 'a' }], rules, ...extra }, version);
      expect(validateResource(fine), kind).toEqual([]);
    }
  });

  it('checks Gateway addresses and listeners, and TLSRoute hostnames with isIP', () => {
    const gateway = (addresses: unknown[]) => gwapi('Gateway', { gatewayClassName: 'c', listeners: [{ name: 'h', protocol: 'HTTP', port: 80 }], addresses });
    expect(validateResource(gateway([{ type: 'IPAddress', value: '10.0.0.1' }, { type: 'Hostname', value: 'a.example' }]))).toEqual([]);
    expect(validateResource(gateway([{ type: 'IPAddress', value: '10.0.0.1' }, { type: 'IPAddress', value: '10.0.0.1' }]))).toEqual([
      { path: '/spec/addresses', message: 'IPAddress values must be unique' },
    ]);
    expect(validateResource(gateway([{ type: 'Hostname', value: 'A_B' }]))[0]!.path).toBe('/spec/addresses/0');
    const tls = (hostnames: string[]) => gwapi('TLSRoute', { parentRefs: [{ name: 'g' }], hostnames, rules: [{ backendRefs: [{ name: 's', port: 443 }] }] });
    expect(validateResource(tls(['10.0.0.1']))).toEqual([{ path: '/spec/hostnames', message: 'Hostnames cannot contain an IP' }]);
    expect(validateResource(tls(['a.example']))).toEqual([]);
    const tlsOnHttp = gwapi('Gateway', { gatewayClassName: 'c', listeners: [{ name: 'h', protocol: 'HTTP', port: 80, tls: { mode: 'Terminate' } }] });
    expect(validateResource(tlsOnHttp)).toContainEqual({ path: '/spec/listeners', message: "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']" });
  });

  it('checks BackendTLSPolicy validation and ListenerSet listeners', () => {
    const btls = (validation: Record<string, unknown>) => gwapi('BackendTLSPolicy', { targetRefs: [{ group: '', kind: 'Service', name: 's' }], validation: { hostname: 'a.example', ...validation } });
    expect(validateResource(btls({ caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }], wellKnownCACertificates: 'System' }))).toContainEqual({
      path: '/spec/validation',
      message: 'must not contain both CACertificateRefs and WellKnownCACertificates',
    });
    expect(validateResource(btls({ wellKnownCACertificates: 'System' }))).toEqual([]);
    const listenerSet = (tls?: unknown) => gwapi('ListenerSet', { parentRef: { name: 'g' }, listeners: [{ name: 'l', protocol: 'HTTP', port: 80, ...(tls ? { tls } : {}) }] });
    expect(validateResource(listenerSet({ mode: 'Terminate', certificateRefs: [{ name: 'c' }] }))).toContainEqual({ path: '/spec/listeners', message: "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']" });
    expect(validateResource(listenerSet())).toEqual([]);
  });

  it('checks ClientTrafficPolicy TLS versions, SecurityPolicy, EnvoyExtensionPolicy, Backend, HTTPRouteFilter, EnvoyPatchPolicy and Issuer rules', () => {
    const ctp = egPolicy('ClientTrafficPolicy', { targetRefs: toGateway, tls: { minVersion: '1.3', maxVersion: '1.2' } });
    expect(validateResource(ctp)).toContainEqual({ path: '/spec/tls', message: 'minVersion must be smaller or equal to maxVersion' });
    expect(validateResource(egPolicy('ClientTrafficPolicy', { targetRefs: toGateway, tls: { minVersion: '1.2', maxVersion: '1.3' } }))).toEqual([]);

    const security = (rules: unknown[]) => egPolicy('SecurityPolicy', { targetRefs: toRoute, authorization: { rules } });
    expect(validateResource(security([{ action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'] } }, { action: 'Deny' }]))).toEqual([
      { path: '/spec/authorization/rules/1', message: 'at least one of principal or cel must be specified' },
    ]);
    expect(validateResource(security([{ action: 'Allow', principal: { clientCIDRs: ['10.0.0.0/8'] } }]))).toEqual([]);
    const extension = egPolicy('EnvoyExtensionPolicy', { targetRefs: toRoute, extProc: [{ backendRefs: [{ name: 'svc' }] }] });
    expect(validateResource(extension)).toContainEqual({ path: '/spec/extProc/0/backendRefs/0', message: 'Must have port for Service reference' });

    const backend = egPolicy('Backend', { type: 'DynamicResolver', endpoints: [{ ip: { address: '10.0.0.1', port: 80 } }] });
    expect(validateResource(backend)).toContainEqual({ path: '/spec', message: 'DynamicResolver type cannot have endpoints specified' });

    const filter = egPolicy('HTTPRouteFilter', { directResponse: { body: { type: 'Inline' } } });
    expect(validateResource(filter)).toEqual([{ path: '/spec/directResponse/body', message: 'inline must be set for type Inline' }]);

    const patch = egPolicy('EnvoyPatchPolicy', { targetRef: toGateway[0], type: 'JSONPatch', jsonPatches: [{ type: 'type.googleapis.com/envoy.config.listener.v3.Listener', operation: { op: 'add', path: '/a', value: 1 } }] });
    expect(validateResource(patch)).toContainEqual({ path: '/spec/jsonPatches/0', message: 'either name or nameSelector must be specified' });

    const issuer = { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta, spec: { venafi: { zone: 'z' } } };
    expect(validateResource(issuer)).toEqual([{ path: '/spec/venafi', message: 'exactly one of tpp, cloud, or ngts must be configured' }]);
  });

  it('uses messageExpression, fieldPath and reason when a rule has them, and falls back to the rule text', () => {
    const schema: StructuralNode = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' }, d: { type: 'number' } } } } },
          'x-kubernetes-validations': [
            { rule: 'self.items.size() < 2', messageExpression: "'at most 1 item, got ' + string(self.items.size())", fieldPath: '.items', reason: 'FieldValueForbidden' },
            { rule: 'self.items.all(i, i.n > 0)' },
            { rule: 'self.items.all(i, i.d == 0.5)', messageExpression: 'self.nope', message: 'd must be 0.5' },
          ],
        },
      },
    };
    expect(celIssues({ spec: { items: [{ n: 1, d: 0.5 }, { n: 0, d: 1 }] } }, schema)).toEqual([
      { path: '/spec/items', message: 'at most 1 item, got 2', reason: 'FieldValueForbidden' },
      { path: '/spec', message: 'failed rule: self.items.all(i, i.n > 0)' },
      { path: '/spec', message: 'd must be 0.5' },
    ]);
    expect(celIssues({ spec: { items: [{ n: 1, d: 0.5 }] } }, schema)).toEqual([]);
    expect(fieldPathToPointer(".a.b['c/d'][0]")).toBe('/a/b/c~1d/0');
  });

  it('rewrites has() on an index and matches() for cel-js, runs RE2 flags, and counts route matches across rules', () => {
    expect(rewriteForCelJs('has(self[0].matches) && has(self.a) && has(x[1].b.c) && self.matches("a")')).toBe("('matches' in self[0]) && has(self.a) && ('c' in x[1].b) && self.re2Matches(\"a\")");
    const rules = Array.from({ length: 3 }, () => ({ matches: Array.from({ length: 50 }, (_, i) => ({ method: { service: `s${i}` } })), backendRefs: [{ name: 's', port: 80 }] }));
    expect(validateResource(gwapi('GRPCRoute', { parentRefs: [{ name: 'g' }], rules }))[0]?.message).toMatch(/^While 16 rules and 64 matches per rule are allowed, the total number of matches/);
    expect(validateResource(gwapi('GRPCRoute', { parentRefs: [{ name: 'g' }], rules: rules.slice(0, 2) }))).toEqual([]);
    // GRPCRoute's method.service pattern starts with RE2's (?i).
    const service = (name: string) => gwapi('GRPCRoute', { parentRefs: [{ name: 'g' }], rules: [{ matches: [{ method: { service: name } }], backendRefs: [{ name: 's', port: 80 }] }] });
    expect(validateResource(service('Foo.Bar'))).toEqual([]);
    expect(validateResource(service('foo..bar'))).toEqual([{ path: '/spec/rules/0/matches/0/method', message: expect.any(String) as string }]);
  });

  it('refuses a document a rule cannot be evaluated on, as the API server does', () => {
    const schema: StructuralNode = { type: 'object', 'x-kubernetes-validations': [{ rule: 'self.missing == 1' }] };
    expect(celIssues({}, schema)[0]!.message).toMatch(/^failed rule: self.missing == 1: /);
  });
});

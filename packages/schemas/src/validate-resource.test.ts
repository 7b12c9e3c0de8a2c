import { describe, expect, it } from 'vitest';
import { parseYamlFile } from './yaml-documents.js';
import { validateResource } from './validate-resource.js';
import { formatIssue } from './format-issue.js';

const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
  namespace: default
spec:
  parentRefs:
    - name: web
  rules:
    - matches:
        - path: { type: PathPrefix, value: /api }
      backendRefs:
        - group: gateway.envoyproxy.io
          kind: Backend
          name: api
          port: 8080
`;

describe('validateResource', () => {
  // The first call compiles the HTTPRoute schema: seconds on a loaded machine.
  it('accepts a valid Gateway API HTTPRoute', () => {
    const [doc] = parseYamlFile(route, 'routes.yaml').documents;
    expect(validateResource(doc!.value)).toEqual([]);
  }, 30_000);

  it('rejects an unknown field instead of pruning it, with its path and line', () => {
    const parsed = parseYamlFile(route.replace('port: 8080', 'port: 8080\n          weigth: 5'), 'routes.yaml');
    const doc = parsed.documents[0]!;
    const issues = validateResource(doc.value);
    expect(issues).toEqual([{ path: '/spec/rules/0/backendRefs/0/weigth', message: 'unknown field' }]);
    expect(doc.lineOf(issues[0]!.path)).toBe(17);
  });

  it('reports type and enum violations from the CRD schema', () => {
    const bad = route.replace('type: PathPrefix', 'type: Glob').replace('port: 8080', 'port: "x"');
    const issues = validateResource(parseYamlFile(bad, 'r.yaml').documents[0]!.value);
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['/spec/rules/0/matches/0/path/type', '/spec/rules/0/backendRefs/0/port']),
    );
  });

  it('validates Envoy Gateway and cert-manager kinds', () => {
    const policy = {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'SecurityPolicy',
      metadata: { name: 'jwt' },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api' }], jwt: { providers: [{ name: 'p', issuer: 'https://idp', remoteJWKS: { uri: 'https://idp/jwks' } }] } },
    };
    expect(validateResource(policy)).toEqual([]);
    const cert = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'c' }, spec: { secretName: 's', dnsNames: ['a.example'], issuerRef: { name: 'le' } } };
    expect(validateResource(cert)).toEqual([]);
  });

  it('lets a required field with a default be left out, as the API server fills it first, without changing the document', () => {
    const policy = {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'BackendTrafficPolicy',
      metadata: { name: 'override' },
      spec: {
        targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', name: 'api' }],
        responseOverride: [{ match: { statusCodes: [{ value: 500 }] }, response: { contentType: 'text/plain', body: { inline: 'oops' } } }],
      },
    };
    expect(validateResource(policy)).toEqual([]);
    expect(policy.spec.responseOverride[0]!.match.statusCodes[0]).toEqual({ value: 500 });
    // A required field without a default is still required.
    const noEnd = structuredClone(policy) as unknown as { spec: { responseOverride: Array<{ match: { statusCodes: unknown[] } }> } };
    noEnd.spec.responseOverride[0]!.match.statusCodes = [{ type: 'Range', range: { start: 500 } }];
    expect(validateResource(noEnd)).toEqual([{ path: '/spec/responseOverride/0/match/statusCodes/0/range/end', message: 'required field is missing' }]);
  });

  it('names unknown kinds and bad metadata', () => {
    expect(validateResource({ apiVersion: 'v9', kind: 'Nope', metadata: { name: 'x' } })[0]!.path).toBe('/kind');
    expect(validateResource({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'Bad_Name' } })[0]).toMatchObject({ path: '/metadata/name' });
    expect(validateResource('text')[0]!.path).toBe('');
  });
});

describe('parseYamlFile', () => {
  it('reports syntax errors with file and line, and skips empty documents', () => {
    const parsed = parseYamlFile('a: 1\n---\nb: [1, 2\n---\n', 'broken.yaml');
    expect(parsed.errors[0]).toMatchObject({ file: 'broken.yaml', line: expect.any(Number) });
    const ok = parseYamlFile('a: 1\n---\n---\nb: 2\n', 'ok.yaml');
    expect(ok.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it('reports an alias without its anchor, and alias bombs, as errors instead of throwing', () => {
    expect(parseYamlFile('a: 1\n---\nb: *missing\n', 'alias.yaml').errors[0]).toMatchObject({ file: 'alias.yaml', line: 3 });
    const bomb = ['x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]', ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    expect(parseYamlFile(bomb, 'bomb.yaml').errors).toHaveLength(1);
  });

  it('rejects duplicate keys', () => {
    expect(parseYamlFile('a: 1\na: 2\n', 'dup.yaml').errors).toHaveLength(1);
  });
});

describe('formatIssue', () => {
  it('names file, line, resource and path', () => {
    expect(formatIssue({ file: 'r.yaml', line: 3, kind: 'HTTPRoute', namespace: 'default', name: 'api', path: '/spec' }, 'bad')).toBe(
      'r.yaml:3: HTTPRoute default/api: /spec: bad',
    );
  });
});

// Nulls in optional fields and oneOf branches are read the way the API server reads them.
import { describe, expect, it } from 'vitest';
import { parseYamlFile } from './yaml-documents.js';
import { validateResource } from './validate-resource.js';

const documentOf = (text: string) => parseYamlFile(text, 'x.yaml').documents[0]!.value as Record<string, unknown>;

describe('null pruning (as the API server prunes non-nullable fields)', () => {
  it('accepts requestHeaderModifier: { add: , set: } and drops the nulls from the document', () => {
    const doc = documentOf(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: r }
spec:
  parentRefs: [{ name: web }]
  rules:
    - filters:
        - type: RequestHeaderModifier
          requestHeaderModifier:
            add:
            set:
            remove: [x-a]
`);
    expect(validateResource(doc)).toEqual([]);
    const filter = ((doc.spec as { rules: Array<{ filters: Array<Record<string, unknown>> }> }).rules[0]!.filters[0]!);
    expect(filter.requestHeaderModifier).toEqual({ remove: ['x-a'] });
  });

  it('accepts brotli: null in a BackendTrafficPolicy compressor', () => {
    const doc = documentOf(`apiVersion: gateway.envoyproxy.io/v1alpha1
kind: BackendTrafficPolicy
metadata: { name: p }
spec:
  targetRefs: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, name: r }]
  compression:
    - type: Gzip
      gzip: {}
      brotli: null
`);
    expect(validateResource(doc)).toEqual([]);
    expect((doc.spec as { compression: unknown[] }).compression[0]).toEqual({ type: 'Gzip', gzip: {} });
  });

  it('still reports a null in a required field as missing', () => {
    const doc = documentOf(`apiVersion: gateway.envoyproxy.io/v1alpha1
kind: Backend
metadata: { name: b }
spec:
  endpoints:
    - ip: { address: 10.0.0.1, port: null }
`);
    expect(validateResource(doc).map((i) => i.path)).toContain('/spec/endpoints/0/ip/port');
  });
});

describe('oneOf/anyOf branches (structural: fields come from the outer schema)', () => {
  it('accepts a Gateway address of type Hostname', () => {
    const doc = documentOf(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web }
spec:
  gatewayClassName: gatehouse
  addresses:
    - { type: Hostname, value: gateway.example.com }
    - { type: IPAddress, value: 10.0.0.1 }
  listeners:
    - { name: http, protocol: HTTP, port: 80 }
`);
    expect(validateResource(doc)).toEqual([]);
  });

  it('still rejects an unknown field next to a oneOf', () => {
    const doc = documentOf(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: web }
spec:
  gatewayClassName: gatehouse
  addresses:
    - { type: Hostname, value: gateway.example.com, colour: blue }
  listeners:
    - { name: http, protocol: HTTP, port: 80 }
`);
    expect(validateResource(doc).map((i) => i.path)).toContain('/spec/addresses/0/colour');
  });
});

import { describe, expect, it } from 'vitest';
import { TypeUrls } from '@gatehouse/contracts';
import { Snapshot } from '../core/cache/index.js';
import { simpleGateway } from '../testing/envoy-resources.js';
import { adsServiceDefinition } from './ads-server.js';
import { encodeEntry } from './resource-encoder.js';
import { encodeDeltaResources, encodeSotwResources, PreEncodedResponse } from './response-encoder.js';

const definition = adsServiceDefinition() as unknown as Record<string, { responseSerialize(v: object): Buffer; responseDeserialize(b: Buffer): object }>;
const snapshot = Snapshot.fromResources(simpleGateway());
const entries = [...snapshot.entries(TypeUrls.cluster).values()];

describe('pre-encoded discovery responses', () => {
  it('SotW: header + shared resource bytes decode to the same response as plain encoding', () => {
    const method = definition['StreamAggregatedResources']!;
    const header = { version_info: 'v1', type_url: TypeUrls.cluster, nonce: '7', control_plane: { identifier: 'x' } };
    const fast = method.responseSerialize(new PreEncodedResponse(header, encodeSotwResources(TypeUrls.cluster, 'v1', entries)));
    const plain = method.responseSerialize({ ...header, resources: entries.map(encodeEntry) });
    expect(method.responseDeserialize(fast)).toEqual(method.responseDeserialize(plain));
  });

  it('delta: header + per-entry resource bytes decode to the same response as plain encoding', () => {
    const method = definition['DeltaAggregatedResources']!;
    const header = { system_version_info: 'v1', type_url: TypeUrls.cluster, nonce: '3', removed_resources: ['gone'] };
    const fast = method.responseSerialize(new PreEncodedResponse(header, encodeDeltaResources(entries)));
    const plain = method.responseSerialize({ ...header, resources: entries.map((e) => ({ name: e.name, version: e.version, resource: encodeEntry(e) })) });
    expect(method.responseDeserialize(fast)).toEqual(method.responseDeserialize(plain));
  });
});

describe('whole-response sharing', () => {
  it('serializes a response once for every stream that gets the same one', () => {
    const method = definition['StreamAggregatedResources']!;
    const header = { version_info: 'v9', type_url: TypeUrls.cluster, nonce: 'v9' };
    const resources = encodeSotwResources(TypeUrls.cluster, 'v9', entries);
    const a = method.responseSerialize(new PreEncodedResponse(header, resources, 'k'));
    const b = method.responseSerialize(new PreEncodedResponse(header, resources, 'k'));
    expect(b).toBe(a);
    const other = method.responseSerialize(new PreEncodedResponse({ ...header, nonce: 'v9.1' }, resources, 'k2'));
    expect(method.responseDeserialize(other)).toMatchObject({ nonce: 'v9.1' });
  });
});

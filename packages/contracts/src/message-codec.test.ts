import { describe, expect, it } from 'vitest';
import { certificateWantedCodec, rateLimitConfigPublishedCodec } from './gatehouse-codecs.js';
import { ContractDecodeError } from './decode-error.js';
import { packAny, unpackAny } from './any.js';
import { grpcServiceDefinition, ServiceNames } from './grpc-service.js';

describe('gatehouse.v1 codecs', () => {
  it('round-trips a CertificateWanted, trace context included', () => {
    const wanted = {
      trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: '' },
      namespace: 'default',
      name: 'web-https',
      secret_name: 'web-tls',
      dns_names: ['example.com', '*.example.com'],
      issuer_ref: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' },
      source: 'gateway/default/web/listener/https',
    };
    const decoded = certificateWantedCodec.decode(certificateWantedCodec.encode(wanted));
    expect(decoded).toEqual(wanted);
  });

  it('round-trips through BullMQ job data', () => {
    const published = { version: 'abc', domains: [{ domain: 'd', yaml: 'domain: d\n', source: 's' }], published_at_unix_ms: '1700000000000' };
    const data = rateLimitConfigPublishedCodec.toJobData(published);
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
    expect(rateLimitConfigPublishedCodec.fromJobData(data)).toEqual(published);
  });

  it('decoding garbage raises a typed ContractDecodeError', () => {
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    expect(() => certificateWantedCodec.decode(garbage)).toThrow(ContractDecodeError);
    try {
      certificateWantedCodec.decode(garbage);
    } catch (err) {
      expect((err as ContractDecodeError).code).toBe('GH_CONTRACT_DECODE');
      expect((err as ContractDecodeError).typeName).toBe('gatehouse.v1.CertificateWanted');
    }
    expect(() => certificateWantedCodec.fromJobData({ nope: 1 })).toThrow(ContractDecodeError);
    expect(() => certificateWantedCodec.fromJobData(null)).toThrow(ContractDecodeError);
  });
});

describe('Envoy protos', () => {
  it('packs and unpacks an Envoy Cluster as google.protobuf.Any', () => {
    const cluster = { name: 'backend', type: 'STRICT_DNS', connect_timeout: { seconds: '5' } };
    const any = packAny('envoy.config.cluster.v3.Cluster', cluster);
    expect(any.type_url).toBe('type.googleapis.com/envoy.config.cluster.v3.Cluster');
    expect(unpackAny(any)).toMatchObject({ name: 'backend', type: 'STRICT_DNS', connect_timeout: { seconds: '5' } });
  });

  it('rejects an Any of an unknown type with a typed error', () => {
    expect(() => unpackAny({ type_url: 'type.googleapis.com/no.Such', value: Buffer.alloc(0) })).toThrow(ContractDecodeError);
  });

  it('builds gRPC service definitions for the services Envoy calls', () => {
    expect(Object.keys(grpcServiceDefinition(ServiceNames.rateLimit))).toEqual(['ShouldRateLimit']);
    expect(Object.keys(grpcServiceDefinition(ServiceNames.authorization))).toEqual(['Check']);
    expect(Object.keys(grpcServiceDefinition(ServiceNames.aggregatedDiscovery))).toEqual([
      'StreamAggregatedResources',
      'DeltaAggregatedResources',
    ]);
    expect(Object.keys(grpcServiceDefinition(ServiceNames.health))).toEqual(['Check', 'List', 'Watch']);
  });
});

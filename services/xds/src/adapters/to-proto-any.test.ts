import { describe, expect, it } from 'vitest';
import { TypeUrls, unpackAny } from '@gatehouse/contracts';
import { encodeResource, toProtoAny } from './to-proto-any.js';
import { edsCluster, listener } from '../testing/envoy-resources.js';

describe('toProtoAny / encodeResource', () => {
  it('encodes nested typed_config Anys so they decode back to the same fields', () => {
    const any = encodeResource(TypeUrls.listener, listener('http', 'routes', 10080));
    const decoded = unpackAny<{ name: string; filter_chains: Array<{ filters: Array<{ typed_config: { type_url: string; value: Buffer } }> }> }>(any);
    expect(decoded.name).toBe('http');
    const hcmAny = decoded.filter_chains[0]!.filters[0]!.typed_config;
    expect(hcmAny.type_url).toBe('type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    expect(unpackAny<{ rds: { route_config_name: string } }>(hcmAny).rds.route_config_name).toBe('routes');
  });

  it('converts "5s" durations', () => {
    const decoded = unpackAny<{ connect_timeout: { seconds: string; nanos?: number } }>(encodeResource(TypeUrls.cluster, { ...edsCluster('c'), connect_timeout: '1.25s' }));
    expect(decoded.connect_timeout).toEqual({ seconds: '1', nanos: 250_000_000 });
  });

  it('wraps bare scalars for wrapper types', () => {
    const decoded = unpackAny<{ per_connection_buffer_limit_bytes: { value: number } }>(
      encodeResource(TypeUrls.cluster, { name: 'c', per_connection_buffer_limit_bytes: 1024 }),
    );
    expect(decoded.per_connection_buffer_limit_bytes).toEqual({ value: 1024 });
  });

  it('accepts camelCase field names as in proto3 JSON', () => {
    expect(unpackAny<{ connect_timeout: unknown }>(encodeResource(TypeUrls.cluster, { name: 'c', connectTimeout: '2s' })).connect_timeout).toEqual({ seconds: '2' });
  });

  it('names the path of an unknown field', () => {
    expect(() => encodeResource(TypeUrls.cluster, { name: 'c', eds_cluster_config: { nope: 1 } })).toThrow(
      expect.objectContaining({ code: 'GH_XDS_ENVOY_JSON_INVALID', path: '/eds_cluster_config/nope' }),
    );
  });

  it('names the path of an unknown @type', () => {
    expect(() => toProtoAny({ '@type': 'type.googleapis.com/not.a.Type' })).toThrow(expect.objectContaining({ path: '/@type' }));
  });

  it('rejects an unknown enum value', () => {
    expect(() => encodeResource(TypeUrls.cluster, { name: 'c', lb_policy: 'BAD' })).toThrow(expect.objectContaining({ path: '/lb_policy' }));
  });
});

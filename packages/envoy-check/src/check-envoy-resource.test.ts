import { describe, expect, it } from 'vitest';
import { lookupMessage, toObjectOptions } from '@gatehouse/contracts';
import { checkEnvoyResource, encodeEnvoyResource, EnvoyResourceInvalidError } from './check-envoy-resource.js';

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
const validCluster = {
  name: 'backend/default/api',
  type: 'STRICT_DNS',
  connect_timeout: { seconds: '5', nanos: 0 },
  load_assignment: {
    cluster_name: 'backend/default/api',
    endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'api', port_value: 80 } } } }] }],
  },
};
const messages = (typeUrl: string, json: unknown) => checkEnvoyResource(typeUrl, json).map((p) => `${p.path}: ${p.message}`);

describe('checkEnvoyResource', () => {
  it('passes a valid Cluster, by type URL or by message name', () => {
    expect(checkEnvoyResource(CLUSTER, validCluster)).toEqual([]);
    expect(checkEnvoyResource('envoy.config.cluster.v3.Cluster', validCluster)).toEqual([]);
  });

  it('reports an unknown field with its path', () => {
    expect(messages(CLUSTER, { ...validCluster, conect_timeout: { seconds: '1' } })).toEqual(['/conect_timeout: unknown field "conect_timeout" in envoy.config.cluster.v3.Cluster']);
  });

  it('reports a string min_len violation (Cluster.name must not be empty, even when left out)', () => {
    const { name: _name, ...withoutName } = validCluster;
    expect(messages(CLUSTER, withoutName)).toEqual(['/name: length must be at least 1']);
  });

  it('reports an undefined enum value, by name always and by number under enum.defined_only', () => {
    expect(messages(CLUSTER, { ...validCluster, type: 'STRICT_DSN' })).toEqual(['/type: "STRICT_DSN" is not a value of enum envoy.config.cluster.v3.Cluster.DiscoveryType']);
    expect(messages(CLUSTER, { ...validCluster, type: 1 })).toEqual([]);
    expect(messages(CLUSTER, { ...validCluster, type: 42 })).toEqual(['/type: 42 is not a value of enum envoy.config.cluster.v3.Cluster.DiscoveryType']);
  });

  it('reports a duration gt violation (connect_timeout must be > 0)', () => {
    expect(messages(CLUSTER, { ...validCluster, connect_timeout: { seconds: '0', nanos: 0 } })).toEqual(['/connect_timeout: duration must be greater than 0ns']);
  });

  it('reports uint32 lte violations (port_value <= 65535)', () => {
    const bad = structuredClone(validCluster);
    bad.load_assignment.endpoints[0]!.lb_endpoints[0]!.endpoint.address.socket_address.port_value = 70000;
    expect(messages(CLUSTER, bad)).toEqual(['/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value: must be at most 65535']);
  });

  it('reports repeated min_items and per-item rules (VirtualHost.domains)', () => {
    const route = (domains: string[]) => ({ name: 'r', virtual_hosts: [{ name: 'vh', domains, routes: [] }] });
    const RC = 'envoy.config.route.v3.RouteConfiguration';
    expect(messages(RC, route([]))).toEqual(['/virtual_hosts/0/domains: needs at least 1 item(s)']);
    expect(messages(RC, route(['bad\nhost']))).toEqual(['/virtual_hosts/0/domains/0: must be a valid HTTP header value']);
    expect(messages(RC, route(['*']))).toEqual([]);
  });

  it('reports a required oneof left unset and a oneof set twice', () => {
    const ROUTE = 'envoy.config.route.v3.Route';
    expect(messages(ROUTE, { match: {}, route: { cluster: 'c' } })).toEqual(['/match: oneof path_specifier is required (one of prefix, path, safe_regex, connect_matcher, path_separated_prefix, path_match_policy)']);
    expect(messages(ROUTE, { match: { prefix: '/', path: '/x' }, route: { cluster: 'c' } })).toEqual(['/match: oneof path_specifier has more than one field set: prefix, path']);
  });

  it('reports string pattern violations (path_separated_prefix must not end in "/")', () => {
    expect(messages('envoy.config.route.v3.RouteMatch', { path_separated_prefix: '/api/' })).toEqual(['/path_separated_prefix: must match /^[^?#]+[^?#/]$/']);
  });

  it('checks Any typed_config as its @type, and rejects unknown types', () => {
    const listener = (typedConfig: Record<string, unknown>) => ({
      name: 'l',
      address: { socket_address: { address: '0.0.0.0', port_value: 80 } },
      filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: typedConfig }] }],
    });
    const LISTENER = 'envoy.config.listener.v3.Listener';
    const hcm = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
    const rds = { route_config_name: 'r', config_source: { ads: {}, resource_api_version: 'V3' } };
    expect(messages(LISTENER, listener({ '@type': hcm, stat_prefix: 's', rds }))).toEqual([]);
    expect(messages(LISTENER, listener({ '@type': hcm, stat_prefix: 's', rds, use_remote_adress: true }))).toEqual([
      '/filter_chains/0/filters/0/typed_config@HttpConnectionManager/use_remote_adress: unknown field "use_remote_adress" in envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    ]);
    expect(messages(LISTENER, listener({ '@type': 'type.googleapis.com/no.Such' }))).toEqual(['/filter_chains/0/filters/0/typed_config/@type: unknown type type.googleapis.com/no.Such']);
  });

  it("accepts Envoy's JSON forms: durations as text, wrappers as bare scalars", () => {
    expect(messages(CLUSTER, { ...validCluster, connect_timeout: '0.250s', per_connection_buffer_limit_bytes: 32768 })).toEqual([]);
    expect(messages(CLUSTER, { ...validCluster, connect_timeout: '0s' })).toEqual(['/connect_timeout: duration must be greater than 0ns']);
    expect(messages(CLUSTER, { ...validCluster, connect_timeout: '5 seconds' })).toEqual(['/connect_timeout: "5 seconds" is not a duration (e.g. "1.5s")']);
    expect(messages(CLUSTER, { ...validCluster, per_connection_buffer_limit_bytes: 'lots' })).toEqual(['/per_connection_buffer_limit_bytes: expected an integer']);
  });

  it('applies wrapped scalar rules (ClusterWeight.weight is a UInt32Value)', () => {
    const route = (weight: unknown) => ({ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight }] } } });
    expect(messages('envoy.config.route.v3.Route', route(5))).toEqual([]);
    expect(messages('envoy.config.route.v3.Route', route({ value: 5 }))).toEqual([]);
    expect(messages('envoy.config.route.v3.Route', route(-1))).toEqual(['/route/weighted_clusters/clusters/0/weight: out of range for uint32']);
  });

  it('reports values of the wrong type', () => {
    expect(messages(CLUSTER, { ...validCluster, name: 42 })).toEqual(['/name: expected a string']);
    expect(messages(CLUSTER, { ...validCluster, connect_timeout: { seconds: 'five' } })).toEqual(['/connect_timeout/seconds: expected a 64-bit integer (number or decimal string)']);
  });

  it('reports an unknown message type', () => {
    expect(messages('envoy.config.nope.v3.Nope', {})).toEqual([': unknown message type envoy.config.nope.v3.Nope']);
  });

  it('encodes a valid resource from its Envoy JSON form, and refuses an invalid one with its problems', () => {
    const bytes = encodeEnvoyResource(CLUSTER, { ...validCluster, connect_timeout: '1.5s' });
    const decoded = lookupMessage('envoy.config.cluster.v3.Cluster').toObject(lookupMessage('envoy.config.cluster.v3.Cluster').decode(bytes), toObjectOptions);
    expect(decoded).toMatchObject({ name: 'backend/default/api', connect_timeout: { seconds: '1', nanos: 500_000_000 } });
    expect(() => encodeEnvoyResource(CLUSTER, { ...validCluster, name: '' })).toThrow(EnvoyResourceInvalidError);
  });
});

import { validateBootstrapConfig } from '@grpc/grpc-js-xds/build/src/xds-bootstrap.js';
import { describe, expect, it } from 'vitest';
import { buildXdsBootstrap } from './xds-bootstrap.js';

describe('buildXdsBootstrap', () => {
  it('builds a bootstrap that grpc-js-xds accepts, with the given server and node', () => {
    const bootstrap = buildXdsBootstrap({ serverUri: '127.0.0.1:18000', nodeId: 'n1', nodeCluster: 'default/gateway' });
    const info = validateBootstrapConfig(JSON.parse(JSON.stringify(bootstrap)));
    expect(info.xdsServers[0]).toMatchObject({ server_uri: '127.0.0.1:18000', server_features: ['xds_v3'] });
    expect(info.xdsServers[0]?.channel_creds[0]?.type).toBe('insecure');
    expect(info.node).toMatchObject({ id: 'n1', cluster: 'default/gateway' });
  });

  it('gives every client its own node id unless one is given', () => {
    expect(buildXdsBootstrap({ serverUri: 'xds:1' }).node.id).not.toBe(buildXdsBootstrap({ serverUri: 'xds:1' }).node.id);
  });

  it('rejects a server URI that is not host:port', () => {
    expect(() => buildXdsBootstrap({ serverUri: 'http://127.0.0.1:18000' })).toThrow(/host:port/);
  });
});

// xds alone behind the emulated Envoy, with the real demo upstream and a spec's config folder whose
// ${UPSTREAM_PORT} names it: the setup of the specs that follow a request to the demo upstream.
import { copyConfigFolder, type ConfigFolderHandle } from './config-folder.js';
import { startDemoUpstream, type DemoUpstreamHandle } from './demo-upstream.js';
import { startGateway, type GatewayHandle } from './gateway.js';

export interface XdsWithDemoUpstream {
  readonly upstream: DemoUpstreamHandle;
  readonly config: ConfigFolderHandle;
  readonly gw: GatewayHandle;
  /** Stops the gateway, removes the config copy and stops the upstream. */
  stop(): Promise<void>;
}

export async function startXdsWithDemoUpstream(configFolder: string, nodeCluster = 'default/gateway'): Promise<XdsWithDemoUpstream> {
  const upstream = await startDemoUpstream();
  let config: ConfigFolderHandle | undefined;
  let gw: GatewayHandle;
  try {
    config = await copyConfigFolder(configFolder, { UPSTREAM_PORT: String(upstream.port) });
    gw = await startGateway({ configDir: config.dir, nodeCluster, services: ['xds'] });
  } catch (err) {
    // Nothing the caller could stop is left running when the start fails.
    await config?.remove();
    await upstream.stop();
    throw err;
  }
  return {
    upstream,
    config,
    gw,
    stop: async () => {
      await gw.stop();
      await config.remove();
      await upstream.stop();
    },
  };
}

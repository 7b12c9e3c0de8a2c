// Integration-test helpers: xds started in this process through the kit (as main.ts runs it), and
// what it serves, read from its admin API.
import { startService, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { xdsService } from '../service.js';

export interface XdsInProcess {
  readonly service: RunningService;
  /** GET on the admin API, parsed. */
  get<T = unknown>(path: string): Promise<T>;
  stop(): Promise<void>;
}

/** Starts xds on free ports with a short debounce; `env` adds to (and may override) that. */
export async function startXdsInProcess(env: Record<string, string>): Promise<XdsInProcess> {
  const service = await startService(xdsService, { GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, GRPC_PORT: '0', ADMIN_PORT: '0', BIND_HOST: '127.0.0.1', GATEHOUSE_INSECURE_PLAINTEXT: 'true', XDS_DEBOUNCE_MS: '10', LOG_LEVEL: 'warn', ...env });
  const base = `http://127.0.0.1:${service.adminPort}`;
  return {
    service,
    async get<T>(path: string) {
      const response = await fetch(`${base}${path}`);
      return (await response.json()) as T;
    },
    stop: () => service.stop(),
  };
}

/** The endpoint ports of a node cluster's ClusterLoadAssignments, sorted ([] when it has no snapshot). */
export async function servedEndpointPorts(xds: XdsInProcess, nodeCluster: string): Promise<number[]> {
  const dump = await xds.get<Record<string, { endpoints?: unknown[] }>>(`/config_dump`);
  const text = JSON.stringify(dump[nodeCluster]?.endpoints ?? []);
  return [...text.matchAll(/"port_value":(\d+)/g)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

// One Envoy bootstrap per Gateway xds serves (an Envoy serves one Gateway, named by node.cluster),
// built by the CLI's generator so `pnpm start` and `gatehouse bootstrap` write the same file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

export async function writeEnvoyBootstraps({ root, stateDir, xdsAdmin, xdsAddress }) {
  const { buildEnvoyBootstrap } = await import(pathToFileURL(join(root, 'packages', 'cli', 'dist', 'envoy-bootstrap.js')).href);
  const status = await fetch(`${xdsAdmin}/status`).then((r) => r.json());
  const gateways = Object.keys(status.nodeClusters ?? {}).sort();
  const dir = join(stateDir, 'envoy');
  mkdirSync(dir, { recursive: true });
  return gateways.map((nodeCluster, i) => {
    const file = join(dir, `${nodeCluster.replace('/', '-')}.yaml`);
    // Envoy admin stays on loopback; one port per Gateway so several Envoys can run side by side.
    const bootstrap = buildEnvoyBootstrap({ nodeCluster, xdsAddress, adminPort: 9901 + i });
    writeFileSync(file, `# Envoy bootstrap for Gateway ${nodeCluster}, written by pnpm start\n${stringify(bootstrap)}`);
    return { nodeCluster, file };
  });
}

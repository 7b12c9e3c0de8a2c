// One Envoy bootstrap per node cluster xds serves (an Envoy serves one Gateway, or the merged Gateways of a
// GatewayClass, named by node.cluster), built by the CLI's generator so `pnpm start` and `gatehouse bootstrap` write the same file. With a
// plaintext xds (the development default here) the bootstraps are plaintext too; with mutual TLS each
// Gateway gets a folder with its bootstrap and the two file-based SDS files naming its PKI files.
// A Gateway's EnvoyProxy (in the config folder) applies as with `gatehouse bootstrap -f`: its stats
// matcher in the bootstrap, and `args`, the Envoy command line it asks for (concurrency, log levels, ...).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

export async function writeEnvoyBootstraps({ root, stateDir, xdsAdmin, xdsAddress, plaintext = false, pkiDir, configDir, env = process.env }) {
  const cli = (file) => import(pathToFileURL(join(root, 'packages', 'cli', 'dist', file)).href);
  const { buildEnvoyBootstrap, buildEnvoySdsFiles } = await cli('envoy-bootstrap.js');
  const { envoyCommandLine, envoyStartFor } = await cli('envoy-start.js');
  const { readYamlFiles } = await cli('read-yaml-files.js');
  const { translateOptionsFromEnv } = await cli('translate-options.js');
  const files = configDir ? await readYamlFiles(configDir) : [];
  const startOf = (nodeCluster) => {
    if (!configDir) return {};
    const found = envoyStartFor(files, nodeCluster, translateOptionsFromEnv({ env }));
    return found.ok && found.start ? { envoyStart: found.start } : {};
  };
  const status = await fetch(`${xdsAdmin}/status`).then((r) => r.json());
  const gateways = Object.keys(status.nodeClusters ?? {}).sort();
  const dir = join(stateDir, 'envoy');
  mkdirSync(dir, { recursive: true });
  return gateways.map((nodeCluster, i) => {
    const name = nodeCluster.replace('/', '-');
    // Envoy admin stays on loopback; one port per Gateway so several Envoys can run side by side.
    const common = { nodeCluster, xdsAddress, adminPort: 9901 + i, ...startOf(nodeCluster) };
    const args = (file) => envoyCommandLine(file, common.envoyStart).slice(1);
    if (plaintext) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, `# Envoy bootstrap for ${what(nodeCluster)}, written by pnpm start (plaintext: xds runs with GATEHOUSE_INSECURE_PLAINTEXT)\n${stringify(buildEnvoyBootstrap({ ...common, plaintext: true }))}`);
      return { nodeCluster, file, args: args(file) };
    }
    const gatewayDir = join(dir, name);
    mkdirSync(gatewayDir, { recursive: true });
    const options = { ...common, sdsDir: gatewayDir, ...(pkiDir ? { pkiDir } : {}) };
    for (const [sdsFile, content] of Object.entries(buildEnvoySdsFiles(options))) writeFileSync(join(gatewayDir, sdsFile), content);
    const file = join(gatewayDir, 'envoy.yaml');
    writeFileSync(file, `# Envoy bootstrap for ${what(nodeCluster)}, written by pnpm start\n${stringify(buildEnvoyBootstrap(options))}`);
    return { nodeCluster, file, args: args(file) };
  });
}

/** A node cluster is a Gateway ("<ns>/<name>") or a GatewayClass whose Gateways are merged (EnvoyProxy mergeGateways). */
function what(nodeCluster) {
  return nodeCluster.includes('/') ? `Gateway ${nodeCluster}` : `the merged Gateways of GatewayClass ${nodeCluster}`;
}

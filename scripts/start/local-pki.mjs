// The deployment PKI of a local run: `gatehouse pki init` into <state>/pki on every start (it creates the
// CA once, then only what is missing or near its end), with a certificate for each Gateway of the config
// folder, and the TLS_*_FILE variables that turn each service's mutual TLS on.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** `<namespace>/<name>` of every Gateway in the YAML under configDir (unreadable files are xds's to report). */
export function gatewaysInConfig(configDir) {
  const found = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry.name)) {
        for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
          const value = doc.errors.length ? undefined : doc.toJS();
          if (value?.kind === 'Gateway' && String(value.apiVersion ?? '').startsWith('gateway.networking.k8s.io/') && value.metadata?.name) {
            found.add(`${value.metadata.namespace ?? 'default'}/${value.metadata.name}`);
          }
        }
      }
    }
  };
  walk(configDir);
  return [...found].sort();
}

/** Runs `gatehouse pki init` in-process; returns the lines that say something was created or issued. */
export async function initLocalPki({ root, dir, gateways }) {
  const { pkiInitCommand } = await import(pathToFileURL(join(root, 'packages', 'cli', 'dist', 'commands', 'pki.js')).href);
  let out = '';
  const io = { stdout: (t) => (out += t), stderr: (t) => (out += t), env: {}, fetch };
  await pkiInitCommand({ dir, gateways }, io);
  return out.split('\n').filter((line) => /^(created|issued)/.test(line));
}

/** A service's certificate, key and the deployment CA (the kit's mutual TLS settings). */
export function tlsEnv(dir, service) {
  return { TLS_CERT_FILE: join(dir, `${service}.crt`), TLS_KEY_FILE: join(dir, `${service}.key`), TLS_CA_FILE: join(dir, 'ca.crt') };
}

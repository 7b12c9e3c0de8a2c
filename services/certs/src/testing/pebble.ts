// A throwaway Pebble ACME CA plus pebble-challtestsrv as its DNS server (until e2e/harness
// startPebble lands on main). Pebble's default chaos stays on: 5% badNonce, 50% authz reuse.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitFor, type StartedProcess } from './processes.js';

export interface PebbleOptions {
  /** Port Pebble connects to for HTTP-01 (where the challenge responder listens). */
  readonly httpPort?: number;
  /** certificateValidityPeriod in seconds (Pebble's default is about 5 years). */
  readonly certificateValiditySeconds?: number;
  readonly externalAccountMacKeys?: Readonly<Record<string, string>>;
  readonly alwaysValid?: boolean;
  /** Overrides PEBBLE_WFE_NONCEREJECT (default: Pebble's own 5%). */
  readonly nonceRejectPercent?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface TestPebble {
  readonly directoryUrl: string;
  /** CA that signed Pebble's own HTTPS certificate: pass as ACME_CA_CERTS. */
  readonly tlsCaPem: string;
  /** The root that issued certificates chain to (regenerated on every start). */
  readonly issuingRootPem: string;
  readonly managementUrl: string;
  /** pebble-challtestsrv's management API (/set-txt, /clear-txt, ...). */
  readonly challtestsrvUrl: string;
  /** host:port of challtestsrv's DNS server, which Pebble resolves through. */
  readonly dnsAddress: string;
  readonly httpPort: number;
  /** Pebble's own TLS certificate and key (signed by tlsCaPem), e.g. for an ACME stand-in in front of it. */
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  output(): string;
  stop(): Promise<void>;
  /** Kills and starts Pebble again: all ACME state (accounts, orders) is lost. */
  restart(): Promise<void>;
}

export function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

function makeTlsCertificate(dir: string): { caPem: string; certFile: string; keyFile: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=gatehouse test pebble TLS CA', '-days', '2']);
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'tls.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'tls.ext', '-out', 'tls.pem']);
  return { caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'), certFile: join(dir, 'tls.pem'), keyFile: join(dir, 'tls.key') };
}

export async function startPebble(options: PebbleOptions = {}): Promise<TestPebble> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-pebble-'));
  const tls = makeTlsCertificate(dir);
  const [acmePort, mgmtPort, tlsPort, dnsPort, challMgmtPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const httpPort = options.httpPort ?? (await freePort());

  const challtestsrv = startProcess('pebble-challtestsrv', [
    '-dns01', `127.0.0.1:${dnsPort}`,
    '-http01', '',
    '-https01', '',
    '-tlsalpn01', '',
    '-management', `127.0.0.1:${challMgmtPort}`,
    '-defaultIPv4', '127.0.0.1',
    '-defaultIPv6', '',
  ]);
  const challtestsrvUrl = `http://127.0.0.1:${challMgmtPort}`;

  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${acmePort}`,
      managementListenAddress: `127.0.0.1:${mgmtPort}`,
      certificate: tls.certFile,
      privateKey: tls.keyFile,
      httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: options.externalAccountMacKeys !== undefined,
      ...(options.externalAccountMacKeys ? { externalAccountMACKeys: options.externalAccountMacKeys } : {}),
      ...(options.certificateValiditySeconds ? { certificateValidityPeriod: options.certificateValiditySeconds } : {}),
    },
  };
  const configFile = join(dir, 'pebble-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const env: NodeJS.ProcessEnv = {
    PEBBLE_VA_NOSLEEP: '1',
    ...(options.alwaysValid ? { PEBBLE_VA_ALWAYS_VALID: '1' } : {}),
    ...(options.nonceRejectPercent !== undefined ? { PEBBLE_WFE_NONCEREJECT: String(options.nonceRejectPercent) } : {}),
    ...options.env,
  };
  const launch = () => startProcess('pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict=false'], { env });
  let pebble: StartedProcess = launch();
  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`;
  const managementUrl = `https://127.0.0.1:${mgmtPort}`;

  const waitReady = async (): Promise<string> => {
    await waitFor('pebble-challtestsrv', async () => ((await fetch(`${challtestsrvUrl}/`).catch(() => undefined)) ? true : undefined), 15_000, () => challtestsrv.output());
    await waitFor('pebble directory', async () => ((await httpsGet(directoryUrl, tls.caPem)).status === 200 ? true : undefined), 15_000, () => pebble.output());
    const root = await httpsGet(`${managementUrl}/roots/0`, tls.caPem);
    if (root.status !== 200) throw new Error(`pebble /roots/0 returned ${root.status}`);
    return root.body;
  };

  let issuingRootPem: string;
  try {
    issuingRootPem = await waitReady();
  } catch (err) {
    await Promise.all([pebble.stop(), challtestsrv.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const handle: TestPebble = {
    directoryUrl,
    tlsCaPem: tls.caPem,
    get issuingRootPem() {
      return issuingRootPem;
    },
    managementUrl,
    challtestsrvUrl,
    dnsAddress: `127.0.0.1:${dnsPort}`,
    httpPort,
    tlsCertFile: tls.certFile,
    tlsKeyFile: tls.keyFile,
    output: () => pebble.output(),
    stop: async () => {
      await Promise.all([pebble.stop(), challtestsrv.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
    restart: async () => {
      await pebble.stop();
      pebble = launch();
      issuingRootPem = await waitReady();
    },
  };
  return handle;
}

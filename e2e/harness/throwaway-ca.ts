// A one-off CA and a localhost server certificate it signed, made with the openssl CLI. Used for
// Pebble's own HTTPS listeners so clients can trust exactly this CA and nothing else.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';

export interface ThrowawayCa {
  /** PEM of the CA certificate: the bundle a client trusts. */
  readonly caPem: string;
  /** Files of the server certificate (SANs localhost, 127.0.0.1, ::1) and its key. */
  readonly serverCertPath: string;
  readonly serverKeyPath: string;
}

/** Writes ca.pem, server.pem and server.key into `dir` (which must exist). */
export function createThrowawayCa(dir: string, commonName = 'Gatehouse throwaway test CA'): ThrowawayCa {
  const openssl = requireBinary('openssl');
  const run = (args: string[]): void => {
    try {
      execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`openssl ${args[0]} failed while making the throwaway CA: ${stderr.trim()}`, { cause: err });
    }
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run(['req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n',
  );
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '7',
    '-out', 'server.pem', '-extfile', 'server.ext']);
  return {
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    serverCertPath: join(dir, 'server.pem'),
    serverKeyPath: join(dir, 'server.key'),
  };
}

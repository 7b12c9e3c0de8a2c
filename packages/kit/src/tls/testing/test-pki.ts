// Tests' deployment PKI: a CA and leaf certificates with the identity URI SANs the real PKI writes, made with the
// openssl CLI into a folder. Lets any test run the services with mutual TLS on, as they run deployed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIdentity, type Identity } from '@gatehouse/contracts';

export interface TestLeaf {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TestPki {
  readonly dir: string;
  readonly caFile: string;
  readonly ca: Buffer;
  /** Issues (or re-issues: rotation) a certificate for the identity, valid for localhost. `file` names it. */
  issue(file: string, identity: Identity, options?: { days?: number; ca?: 'own' | 'foreign' }): TestLeaf;
  /** The TLS_* variables a service started with this leaf needs. */
  envFor(leaf: TestLeaf): Record<'TLS_CERT_FILE' | 'TLS_KEY_FILE' | 'TLS_CA_FILE', string>;
}

export function makeTestPki(dir = mkdtempSync(join(tmpdir(), 'gh-pki-'))): TestPki {
  const run = (args: string[]): void => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`openssl ${args.join(' ')} failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}`, { cause: err });
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string): void =>
    run(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  makeCa('ca');
  let foreignMade = false;
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    ca: readFileSync(join(dir, 'ca.crt')),
    issue(file, identity, options = {}) {
      const signer = options.ca === 'foreign' ? 'foreign-ca' : 'ca';
      if (signer === 'foreign-ca' && !foreignMade) {
        makeCa('foreign-ca');
        foreignMade = true;
      }
      writeFileSync(join(dir, `${file}.ext`), [
        `subjectAltName=URI:${formatIdentity(identity)},DNS:localhost,IP:127.0.0.1`,
        'extendedKeyUsage=serverAuth,clientAuth',
        'keyUsage=critical,digitalSignature',
        '',
      ].join('\n'));
      run(['req', ...ec, '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', `/CN=${file}`]);
      run(['x509', '-req', '-in', `${file}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial',
        '-days', String(options.days ?? 2), '-out', `${file}.crt`, '-extfile', `${file}.ext`]);
      return { certFile: join(dir, `${file}.crt`), keyFile: join(dir, `${file}.key`), cert: readFileSync(join(dir, `${file}.crt`)), key: readFileSync(join(dir, `${file}.key`)) };
    },
    envFor(leaf) {
      return { TLS_CERT_FILE: leaf.certFile, TLS_KEY_FILE: leaf.keyFile, TLS_CA_FILE: join(dir, 'ca.crt') };
    },
  };
}

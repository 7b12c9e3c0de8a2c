// The conformance suite's generated certificates, made here with the openssl CLI (the suite makes them
// with its own generator when it applies a test's manifests): one CA, and leaf certificates it (or a
// second, untrusted CA) signs for the DNS names a test needs, for listeners, TLS backends and clients.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SuiteLeaf {
  readonly cert: string;
  readonly key: string;
}

export interface SuitePki {
  /** PEM of the CA every "trusted" leaf chains to. */
  readonly ca: string;
  /** A leaf for these DNS names (the first is its CN), signed by the CA, or by an untrusted one ('foreign'). */
  issue(dnsNames: readonly string[], signer?: 'ca' | 'foreign'): SuiteLeaf;
  remove(): void;
}

export function makeSuitePki(): SuitePki {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-conformance-pki-'));
  const run = (args: string[]): void => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`openssl ${args[0]} failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? String(err)}`, { cause: err });
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string): void =>
    run(['req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  makeCa('ca');
  let foreignMade = false;
  let serial = 0;
  return {
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    issue(dnsNames, signer = 'ca') {
      const ca = signer === 'foreign' ? 'foreign-ca' : 'ca';
      if (ca === 'foreign-ca' && !foreignMade) {
        makeCa('foreign-ca');
        foreignMade = true;
      }
      const file = `leaf-${++serial}`;
      writeFileSync(join(dir, `${file}.ext`), [`subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')}`, 'extendedKeyUsage=serverAuth,clientAuth', 'keyUsage=critical,digitalSignature', ''].join('\n'));
      run(['req', ...ec, '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', `/CN=${dnsNames[0] ?? file}`]);
      run(['x509', '-req', '-in', `${file}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-out', `${file}.crt`, '-extfile', `${file}.ext`]);
      return { cert: readFileSync(join(dir, `${file}.crt`), 'utf8'), key: readFileSync(join(dir, `${file}.key`), 'utf8') };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// A PKI folder on disk (layout in packages/pki/README.md): reads certificate/key pairs and writes them
// atomically (a temporary file renamed over the old one), so a process polling the files never reads
// half a certificate. Keys are 0600, certificates 0644; the CA is never overwritten.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PemPair } from '@gatehouse/pki';

export const CA_BASE = 'ca';

export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeDurably(temp, text, mode);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Creates the file (never over an existing one) and syncs it: a crash leaves the old file or the new one, never an empty one. */
async function writeDurably(path: string, text: string, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.chmod(mode); // the mode asked for, whatever the umask
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class PkiFolder {
  constructor(readonly dir: string) {}

  certPath(base: string): string {
    return join(this.dir, `${base}.crt`);
  }

  keyPath(base: string): string {
    return join(this.dir, `${base}.key`);
  }

  /** Creates the folder (0700) when missing; an existing one keeps its mode (a volume root, say). */
  async ensure(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async readCert(base: string): Promise<string | undefined> {
    return readTextIfExists(this.certPath(base));
  }

  async readKey(base: string): Promise<string | undefined> {
    return readTextIfExists(this.keyPath(base));
  }

  /** The key first: a watcher seeing the new key beside the old certificate refuses the pair and waits. */
  async writePair(base: string, pair: PemPair): Promise<void> {
    await writeFileAtomic(this.keyPath(base), pair.keyPem, 0o600);
    await writeFileAtomic(this.certPath(base), pair.certPem, 0o644);
  }

  /** The CA pair, only when neither file exists: a deployment's trust anchor is never replaced by accident. */
  async writeNewCa(pair: PemPair): Promise<void> {
    await writeDurably(this.keyPath(CA_BASE), pair.keyPem, 0o600);
    await writeFileAtomic(this.certPath(CA_BASE), pair.certPem, 0o644);
  }

  /** The certificate files, without extension, CA excluded, sorted. */
  async listCertificates(): Promise<string[]> {
    const names = await readdir(this.dir);
    return names
      .filter((n) => n.endsWith('.crt') && n !== `${CA_BASE}.crt`)
      .map((n) => n.slice(0, -'.crt'.length))
      .sort();
  }
}

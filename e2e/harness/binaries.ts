// Locating the external programs the harness runs, with an install hint when one is missing.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian package that ships each program the harness may run. */
export const debianPackageOf: Readonly<Record<string, string>> = {
  'redis-server': 'redis-server',
  pebble: 'pebble',
  'pebble-challtestsrv': 'pebble',
  h2load: 'nghttp2-client',
  openssl: 'openssl',
  chromium: 'chromium',
};

export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
  readonly code = 'GH_E2E_MISSING_BINARY';
  constructor(readonly binary: string) {
    const pkg = debianPackageOf[binary];
    const hint = pkg ? `install it with: apt-get install -y ${pkg}` : 'install it and put it on PATH';
    super(`${binary} was not found on PATH; ${hint}`);
  }
}

/** Absolute path of `binary` on PATH. @throws MissingBinaryError naming the Debian package to install. */
export function requireBinary(binary: string, path = process.env.PATH ?? ''): string {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  throw new MissingBinaryError(binary);
}

// The validators `pnpm build` generated (Ajv standalone code, one CommonJS module per kind in
// dist/validators, see scripts/generate-validators.mjs). Compiling a CRD schema with Ajv costs about
// half a second of CPU per kind at start; requiring its generated module costs milliseconds. Each
// module is loaded on first use, and only when it was built from the catalog this process uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'validators');
const require = createRequire(import.meta.url);

/** dist/validators/index.json: the catalog hash the modules were generated from, and a file per apiVersion/kind. */
interface ValidatorIndex {
  readonly hash: string;
  readonly files: Readonly<Record<string, string>>;
}

let index: ValidatorIndex | null | undefined;

/** The generated validator of `key` ("apiVersion/kind"), if one was built from the catalog with `catalogHash`. */
export function precompiledValidator(key: string, catalogHash: string | undefined): ValidateFunction | undefined {
  if (catalogHash === undefined) return undefined;
  index ??= readIndex();
  const file = index?.hash === catalogHash ? index.files[key] : undefined;
  return file ? (require(join(dir, file)) as ValidateFunction) : undefined;
}

function readIndex(): ValidatorIndex | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as ValidatorIndex;
  } catch {
    // Not built (tests run from src): compile at run time.
    return null;
  }
}

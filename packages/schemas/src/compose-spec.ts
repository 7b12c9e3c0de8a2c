import { join } from 'node:path';
import { crdsDir } from './crd-catalog.js';

/** The Compose Specification JSON Schema that `docker compose` validates against. */
export const composeSpecPath = join(crdsDir, 'compose-spec.json');

// Build step: the served schema of every vendored CRD, as one JSON file keyed by apiVersion/kind, with a
// hash of the YAML it came from. Parsing 2.8 MB of CRD YAML costs about a second at every service start;
// JSON.parse of this costs milliseconds. crd-catalog.ts falls back to the YAML when the hash differs.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catalogFromYaml, readCrdTexts, hashTexts } from '../dist/crd-sources.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const texts = readCrdTexts(join(root, 'crds'));
const out = join(root, 'dist', 'crd-catalog.json');
writeFileSync(out, JSON.stringify({ hash: hashTexts(texts), schemas: [...catalogFromYaml(texts).values()] }));
console.log(`wrote ${out}`);

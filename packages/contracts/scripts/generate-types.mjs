// Generates TypeScript types for every message and service in proto-files.json into
// src/generated/ (gitignored), with the same conversion options the runtime loader uses.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const outDir = join(packageRoot, 'src', 'generated');
const files = JSON.parse(readFileSync(join(packageRoot, 'proto-files.json'), 'utf8'));
const require = createRequire(import.meta.url);
const xdsPackageRoot = join(dirname(require.resolve('@grpc/grpc-js-xds')), '..', '..');
// Same list as src/include-dirs.ts (which cannot be imported before it is compiled).
const includeDirs = [
  join(packageRoot, 'proto'),
  ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(xdsPackageRoot, 'deps', d)),
  join(dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')), 'build', 'protos'),
];
const bin = join(dirname(require.resolve('@grpc/proto-loader')), '..', 'bin', 'proto-loader-gen-types.js');

rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [
  bin,
  // Files first: yargs' array option -I would otherwise swallow them.
  ...files.envoy, ...files.local,
  '--keepCase', '--longs=String', '--enums=String', '--defaults=false', '--oneofs',
  '--grpcLib=@grpc/grpc-js',
  '-O', outDir,
  ...includeDirs.flatMap((dir) => ['-I', dir]),
], { stdio: 'inherit' });

// NodeNext ESM needs explicit extensions on relative imports; the generator writes none.
function addJsExtensions(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) { addJsExtensions(path); continue; }
    if (!path.endsWith('.ts')) continue;
    const source = readFileSync(path, 'utf8');
    const fixed = source.replace(/(from\s+')(\.{1,2}\/[^']+)(')/g, (_m, a, spec, b) =>
      spec.endsWith('.js') ? `${a}${spec}${b}` : `${a}${spec}.js${b}`);
    if (fixed !== source) writeFileSync(path, fixed);
  }
}
addJsExtensions(outDir);

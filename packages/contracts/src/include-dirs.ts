// Where .proto files are found: this package's proto/ folder and the official Envoy data-plane
// API with its dependencies, as shipped by @grpc/grpc-js-xds under deps/.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const xdsPackageRoot = join(dirname(require.resolve('@grpc/grpc-js-xds')), '..', '..');
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export const protoIncludeDirs: readonly string[] = [
  join(packageRoot, 'proto'),
  join(xdsPackageRoot, 'deps', 'envoy-api'),
  join(xdsPackageRoot, 'deps', 'xds'),
  join(xdsPackageRoot, 'deps', 'googleapis'),
  join(xdsPackageRoot, 'deps', 'protoc-gen-validate'),
  // protobufjs ships google/protobuf/{descriptor,api,type,...}.proto beyond its built-in common set.
  dirname(require.resolve('protobufjs/package.json')),
];

export const protoFilesPath = join(packageRoot, 'proto-files.json');

// Where .proto files are found: this package's proto/ folder and the official Envoy data-plane
// API with its dependencies, as shipped by @grpc/grpc-js-xds under deps/, plus the OpenTelemetry protos.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const xdsPackageRoot = join(dirname(require.resolve('@grpc/grpc-js-xds')), '..', '..');
const otelProtosRoot = join(dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')), 'build', 'protos');
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export const protoIncludeDirs: readonly string[] = [
  join(packageRoot, 'proto'),
  join(xdsPackageRoot, 'deps', 'envoy-api'),
  join(xdsPackageRoot, 'deps', 'xds'),
  join(xdsPackageRoot, 'deps', 'googleapis'),
  join(xdsPackageRoot, 'deps', 'protoc-gen-validate'),
  // Envoy's OpenTelemetry access logger (logs_service.proto) imports opentelemetry/proto/common/v1/common.proto,
  // which grpc-js-xds' deps lack; this package ships the official OpenTelemetry protos.
  otelProtosRoot,
  // protobufjs ships google/protobuf/{descriptor,api,type,...}.proto beyond its built-in common set.
  dirname(require.resolve('protobufjs/package.json')),
];

export const protoFilesPath = join(packageRoot, 'proto-files.json');

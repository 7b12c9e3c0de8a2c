// One protobufjs Root holding every message the suite encodes: the Envoy API subset, the gRPC
// health protocol and Gatehouse's own gatehouse.v1 contracts. Loaded once, lazily.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import protobuf from 'protobufjs';
import { protoFilesPath, protoIncludeDirs } from './include-dirs.js';

/** Same conversion as the generated `__Output` types: snake_case names, 64-bit ints and enums as strings. */
export const toObjectOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer as unknown as typeof String,
  defaults: false,
  oneofs: true,
};

let shared: protobuf.Root | undefined;

export function protoRoot(): protobuf.Root {
  shared ??= loadRoot();
  return shared;
}

function loadRoot(): protobuf.Root {
  const files = JSON.parse(readFileSync(protoFilesPath, 'utf8')) as { envoy: string[]; local: string[] };
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (isAbsolute(target)) return target;
    for (const dir of protoIncludeDirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    // google/protobuf/*.proto come bundled with protobufjs.
    return target;
  };
  root.loadSync([...files.envoy, ...files.local], { keepCase: true });
  root.resolveAll();
  return root;
}

export function lookupMessage(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}

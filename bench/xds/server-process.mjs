// Child process for the bench: either the Gatehouse ADS server ("xds") or a baseline ("raw") that
// writes one DiscoveryResponse, serialized once, of the SotW push's size to every open stream: the
// least any grpc-js server must do to push that change. Driven over IPC; counts bytes it serializes.
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, lookupMessage, ServiceNames } from '@gatehouse/contracts';
import { Snapshot, SnapshotStore } from '../../services/xds/dist/core/cache/index.js';
import { ProxyRegistry } from '../../services/xds/dist/core/server/index.js';
import { adsServiceDefinition, adsServiceHandlers } from '../../services/xds/dist/adapters/ads-server.js';
import { encodeSnapshot, encodeEntry } from '../../services/xds/dist/adapters/resource-encoder.js';
import { buildResources, NODE_CLUSTER } from './fixture.mjs';

const mode = process.argv[2];
let bytesSent = 0;
const definition = mode === 'xds' ? adsServiceDefinition() : grpcServiceDefinition(ServiceNames.aggregatedDiscovery);
for (const method of Object.values(definition)) {
  const serialize = method.responseSerialize;
  method.responseSerialize = (value) => {
    // The baseline hands over bytes serialized once: pure transport cost.
    const bytes = Buffer.isBuffer(value) ? value : serialize(value);
    bytesSent += bytes.length;
    return bytes;
  };
}

const server = new grpc.Server({ 'grpc.max_concurrent_streams': 100_000 });
const store = new SnapshotStore();
const registry = new ProxyRegistry();
let previous;
function setGeneration(generation) {
  const snapshot = Snapshot.fromResources(buildResources(generation), previous);
  encodeSnapshot(snapshot);
  store.set(NODE_CLUSTER, snapshot);
  previous = snapshot;
  return snapshot;
}

const rawStreams = new Set();
if (mode === 'xds') {
  server.addService(definition, adsServiceHandlers({ store, registry, transport: 'plaintext' }));
} else {
  const noop = (call) => {
    rawStreams.add(call);
    call.on('data', () => undefined);
    call.on('end', () => call.end());
    call.on('close', () => rawStreams.delete(call));
    call.on('error', () => rawStreams.delete(call));
  };
  server.addService(definition, { StreamAggregatedResources: noop, DeltaAggregatedResources: noop });
}

/** The same route configurations as one SotW push of every route configuration, prebuilt once. */
function rawResponse(generation) {
  const snapshot = setGeneration(generation);
  const resources = [...snapshot.entries('type.googleapis.com/envoy.config.route.v3.RouteConfiguration').values()].map(encodeEntry);
  const type = lookupMessage('envoy.service.discovery.v3.DiscoveryResponse');
  const message = { version_info: String(generation), type_url: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', nonce: String(generation), resources };
  return Buffer.from(type.encode(type.fromObject(message)).finish());
}

server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  if (mode === 'xds') setGeneration(0);
  process.send({ ready: port });
});

process.on('message', async (msg) => {
  if (msg.set !== undefined) {
    if (mode === 'xds') setGeneration(msg.set);
    else {
      const response = rawResponse(msg.set);
      for (const call of rawStreams) call.write(response);
    }
    process.send({ setDone: msg.set });
  } else if (msg.stats) {
    // Two full collections a tick apart: Buffers' backing stores are released by the second.
    global.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
    global.gc?.();
    const m = process.memoryUsage();
    process.send({ stats: { bytesSent, rss: m.rss, heapUsed: m.heapUsed, external: m.external, streams: mode === 'xds' ? registry.size : rawStreams.size } });
  } else if (msg.exit) {
    server.forceShutdown();
    process.exit(0);
  }
});

#!/usr/bin/env node
// Baseline for bench/ratelimit: a grpc-js RateLimitService that answers OK at once, with the same
// service definition (same protobufjs (de)serialization) as the real service. Usage: noop-server.mjs <port>
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { Server, ServerCredentials } from '@grpc/grpc-js';

const port = Number(process.argv[2] ?? 0);
const server = new Server();
server.addService(grpcServiceDefinition(ServiceNames.rateLimit), {
  ShouldRateLimit(call, callback) {
    const statuses = (call.request.descriptors ?? []).map(() => ({ code: 'OK', current_limit: { requests_per_unit: 1, unit: 'SECOND' }, limit_remaining: 1, duration_until_reset: { seconds: '1', nanos: 0 } }));
    callback(null, { overall_code: 'OK', statuses });
  },
});
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
  if (err) throw err;
  process.stdout.write(`listening ${bound}\n`);
});
process.on('SIGTERM', () => server.tryShutdown(() => process.exit(0)));

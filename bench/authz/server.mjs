// One gRPC Check server per process, so the baseline and the service get the same single core:
//   node server.mjs noop             -> a grpc-js Check that always answers OK (the baseline)
//   node server.mjs authz <config> [verdictCacheSize]
// Prints the bound port on stdout.
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';

const [mode, configPath, cacheSize] = process.argv.slice(2);
// Exit normally on SIGTERM so --cpu-prof can write its profile.
process.on('SIGTERM', () => process.exit(0));
if (mode === 'noop') {
  const server = new grpc.Server();
  server.addService(grpcServiceDefinition(ServiceNames.authorization), {
    Check: (_call, callback) => callback(null, { status: { code: 0 }, ok_response: {} }),
  });
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  console.log(port);
} else {
  const { startAuthzService } = await import('../../services/authz/dist/index.js');
  const quiet = { info() {}, warn() {}, error(o, m) { console.error(m, JSON.stringify(o)); } };
  const service = await startAuthzService({
    host: '127.0.0.1',
    port: 0,
    configPath,
    clockSkewSeconds: 30,
    logger: quiet,
    cookieSecret: 'b'.repeat(32),
    ...(cacheSize !== undefined && { verdictCacheSize: Number(cacheSize) }),
  });
  console.log(service.port);
}

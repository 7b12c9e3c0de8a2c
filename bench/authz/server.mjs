// The baseline for bench/authz, in its own process: a grpc-js Check that always answers OK, with the
// shared service definition (the same protobufjs (de)serialisation the suite uses by default).
// Prints the bound port on stdout.
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';

// Exit normally on SIGTERM so --cpu-prof can write its profile.
process.on('SIGTERM', () => process.exit(0));
const server = new grpc.Server();
server.addService(grpcServiceDefinition(ServiceNames.authorization), {
  Check: (_call, callback) => callback(null, { status: { code: 0 }, ok_response: {} }),
});
const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
console.log(port);

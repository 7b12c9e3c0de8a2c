#!/usr/bin/env node
// The baseline of bench/tls: a grpc-js Check that answers OK at once, plaintext or (with TLS_CERT_FILE,
// TLS_KEY_FILE, TLS_CA_FILE) mutual TLS requiring a client certificate, so what TLS costs grpc-js itself is
// measured beside what it costs the services. Prints the bound port.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';

const { TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE } = process.env;
const credentials = TLS_CERT_FILE
  ? grpc.ServerCredentials.createSsl(readFileSync(TLS_CA_FILE), [{ cert_chain: readFileSync(TLS_CERT_FILE), private_key: readFileSync(TLS_KEY_FILE) }], true)
  : grpc.ServerCredentials.createInsecure();
const server = new grpc.Server();
server.addService(grpcServiceDefinition(ServiceNames.authorization), {
  Check: (_call, callback) => callback(null, { status: { code: 0 }, ok_response: {} }),
});
const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (e, p) => (e ? reject(e) : resolve(p))));
console.log(port);
process.on('SIGTERM', () => process.exit(0));

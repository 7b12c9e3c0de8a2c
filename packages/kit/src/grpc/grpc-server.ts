// gRPC server with Gatehouse's defaults and the standard health service registered.
import { Server, ServerCredentials, type ServerOptions } from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import { HealthService } from './health-service.js';

export const defaultGrpcServerOptions: ServerOptions = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 10_000,
  'grpc.max_receive_message_length': 16 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

export function createGrpcServer(options: ServerOptions = {}): { server: Server; health: HealthService } {
  const server = new Server({ ...defaultGrpcServerOptions, ...options });
  const health = new HealthService();
  server.addService(grpcServiceDefinition(ServiceNames.health), health.implementation());
  return { server, health };
}

/** Binds with the given credentials (see transport-security.ts; startService passes mTLS) and returns the bound port. */
export function bindGrpcServer(server: Server, host: string, port: number, credentials: ServerCredentials = ServerCredentials.createInsecure()): Promise<number> {
  return new Promise((resolve, reject) => {
    const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    server.bindAsync(address, credentials, (err, boundPort) => (err ? reject(err) : resolve(boundPort)));
  });
}

/** Finishes in-flight calls, then forces the rest closed after `timeoutMs`. */
export function shutdownGrpcServer(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, timeoutMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

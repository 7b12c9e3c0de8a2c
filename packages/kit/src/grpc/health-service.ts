// The standard grpc.health.v1 service (Check, List, Watch). "" is the whole server's status.
import { status as GrpcStatus, type ServerWritableStream, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';

export type ServingStatus = 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' | 'UNKNOWN';

interface HealthCheckRequest {
  service?: string;
}

export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>([['', 'NOT_SERVING']]);
  private readonly watchers = new Set<{ service: string; call: ServerWritableStream<HealthCheckRequest, object> }>();

  setStatus(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const watcher of this.watchers) if (watcher.service === service) watcher.call.write({ status });
  }

  /** Marks every registered service, and the server, as the given status. */
  setAll(status: ServingStatus): void {
    for (const service of this.statuses.keys()) this.setStatus(service, status);
  }

  implementation(): UntypedServiceImplementation {
    return {
      Check: (call: ServerUnaryCall<HealthCheckRequest, object>, callback: sendUnaryData<object>) => {
        const status = this.statuses.get(call.request.service ?? '');
        if (!status) callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service "${call.request.service}"` });
        else callback(null, { status });
      },
      List: (_call: ServerUnaryCall<object, object>, callback: sendUnaryData<object>) => {
        callback(null, { statuses: Object.fromEntries([...this.statuses].map(([name, status]) => [name, { status }])) });
      },
      Watch: (call: ServerWritableStream<HealthCheckRequest, object>) => {
        const service = call.request.service ?? '';
        const watcher = { service, call };
        this.watchers.add(watcher);
        call.write({ status: this.statuses.get(service) ?? 'SERVICE_UNKNOWN' });
        call.on('cancelled', () => this.watchers.delete(watcher));
        call.on('close', () => this.watchers.delete(watcher));
      },
    };
  }

  /** Ends every Watch stream (at shutdown, so the server can close). */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.call.end();
    this.watchers.clear();
  }
}

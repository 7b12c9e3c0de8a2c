// Test helper: a grpc-js client for envoy.service.auth.v3.Authorization and a CheckRequest builder.
import * as grpc from '@grpc/grpc-js';
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';

export interface CheckInput {
  readonly policy?: string;
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: Record<string, string>;
  readonly clientIp?: string;
}

// Decoded CheckResponse (snake_case, enums as strings); loose on purpose for assertions.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CheckAnswer = any;

export interface CheckClient {
  check(input: CheckInput): Promise<CheckAnswer>;
  close(): void;
}

export function checkRequest(input: CheckInput): object {
  return {
    attributes: {
      source: { address: { socket_address: { address: input.clientIp ?? '10.0.0.1', port_value: 50000 } } },
      request: {
        http: {
          id: 'req-1',
          method: input.method ?? 'GET',
          path: input.path ?? '/',
          host: input.host ?? 'app.example.test',
          scheme: 'https',
          headers: { ':authority': input.host ?? 'app.example.test', ...input.headers },
        },
      },
      context_extensions: input.policy ? { policy: input.policy } : {},
    },
  };
}

export function createCheckClient(port: number): CheckClient {
  const Client = grpc.makeGenericClientConstructor(grpcServiceDefinition(ServiceNames.authorization), 'Authorization');
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Check(request: object, callback: (err: grpc.ServiceError | null, response: CheckAnswer) => void): void;
  };
  return {
    check: (input) => new Promise((resolve, reject) => client.Check(checkRequest(input), (err, response) => (err ? reject(err) : resolve(response)))),
    close: () => client.close(),
  };
}

/** Upstream headers of an allowed answer as a plain object. */
export function upstreamHeaders(answer: CheckAnswer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of answer.ok_response?.headers ?? []) out[h.header.key] = h.header.value;
  return out;
}

export function deniedHeaders(answer: CheckAnswer): [string, string][] {
  return (answer.denied_response?.headers ?? []).map((h: { header: { key: string; value: string } }) => [h.header.key, h.header.value]);
}

// Test helper: the authz service started in-process the way every service is (the kit's startService
// with an environment), a Check client on its gRPC port, its /status, and the error lines it logs.
import { startService, type RunningService } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { authzService } from '../service.js';
import { createCheckClient, upstreamHeaders, type CheckClient } from './check-client.js';

export interface AuthzUnderTest {
  readonly running: RunningService;
  readonly client: CheckClient;
  /** "<message> <fields as JSON>" of every logger.error call since start. */
  readonly errors: string[];
  status(): Promise<AuthzStatus>;
  stop(): Promise<void>;
}

export interface AuthzStatus {
  readonly policies: string[];
  readonly sources: Record<string, { serving: { policy: string; file?: string; generation: number; servingGeneration: number; stale: boolean }[]; refused: { policy: string }[]; problems: string[] }>;
}

export async function startAuthz(environment: Record<string, string>): Promise<AuthzUnderTest> {
  const running = await startService(authzService, {
    GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY,
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    BIND_HOST: '127.0.0.1',
    GATEHOUSE_INSECURE_PLAINTEXT: 'true',
    AUTHZ_CLOCK_SKEW_SECONDS: '5',
    AUTHZ_COOKIE_SECRET: 's'.repeat(32),
    LOG_LEVEL: 'silent',
    ...environment,
  });
  const errors: string[] = [];
  const logger = running.context.logger as unknown as { error: (o: object, m?: string) => void };
  const original = logger.error.bind(logger);
  logger.error = (o, m) => {
    errors.push(`${m ?? ''} ${JSON.stringify(o)}`);
    original(o, m);
  };
  // Traffic is only sent to a ready replica (compose/k8s gate on /readyz); the session store's fail-fast
  // connection answers 503 until Redis is connected, which a check right after start would otherwise race.
  await waitReady(running.adminPort);
  const client = createCheckClient(running.grpcPort);
  return {
    running,
    client,
    errors,
    status: async () => (await (await fetch(`http://127.0.0.1:${running.adminPort}/status`)).json()) as AuthzStatus,
    async stop() {
      client.close();
      await running.stop();
    },
  };
}

/** A policy admitting one API key client (`<client>-0123456789abcdef`), with its Secret in the same file. */
export const apiKeyPolicyYaml = (name: string, client: string, extra = ''): string => `apiVersion: gateway.envoyproxy.io/v1alpha1
kind: SecurityPolicy
metadata: { name: ${name}, namespace: ns }
spec:
  apiKeyAuth:
    credentialRefs: [{ name: ${name}-keys }]
    extractFrom: [{ headers: [x-api-key] }]${extra}
---
apiVersion: v1
kind: Secret
metadata: { name: ${name}-keys, namespace: ns }
stringData: { ${client}: ${client}-0123456789abcdef }
`;

/** The client id authz forwards for `client`'s key on `policy`, or undefined when it denies. */
export async function apiKeyClientOf(service: AuthzUnderTest, policy: string, client: string): Promise<string | undefined> {
  return upstreamHeaders(await service.client.check({ policy, headers: { 'x-api-key': `${client}-0123456789abcdef` } }))['x-gatehouse-client-id'];
}

async function waitReady(adminPort: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`http://127.0.0.1:${adminPort}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`authz not ready after ${timeoutMs} ms (/readyz ${status})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

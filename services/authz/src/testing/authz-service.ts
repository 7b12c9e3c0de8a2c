// Test helper: the authz service started in-process the way every service is (the kit's startService
// with an environment), a Check client on its gRPC port, its /status, and the error lines it logs.
import { startService, type RunningService } from '@gatehouse/kit';
import { authzService } from '../service.js';
import { createCheckClient, type CheckClient } from './check-client.js';

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
    GRPC_PORT: '0',
    ADMIN_PORT: '0',
    BIND_HOST: '127.0.0.1',
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

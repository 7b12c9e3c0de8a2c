// Runs the ratelimit service (service.ts) on the kit: env, logging, telemetry, servers, shutdown.
import { runService } from '@gatehouse/kit';
import { rateLimitService } from './service.js';

await runService(rateLimitService);

// Wires config, adapters and the core of the ratelimit service; all shared plumbing comes from the kit.
import { runService } from '@gatehouse/kit';

await runService({
  name: 'ratelimit',
  env: {},
  defaults: { grpcPort: 8081, adminPort: 6070 },
  async start(ctx) {
    ctx.ready.set('config', true);
  },
});

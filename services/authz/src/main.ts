// Wires config, adapters and the core of the authz service; all shared plumbing comes from the kit.
import { runService } from '@gatehouse/kit';

await runService({
  name: 'authz',
  env: {},
  defaults: { grpcPort: 9001, adminPort: 9002 },
  async start(ctx) {
    ctx.ready.set('config', true);
  },
});

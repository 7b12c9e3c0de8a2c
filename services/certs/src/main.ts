// Wires config, adapters and the core of the certs service; all shared plumbing comes from the kit.
import { runService } from '@gatehouse/kit';

await runService({
  name: 'certs',
  env: {},
  defaults: { grpcPort: 9101, adminPort: 9102 },
  async start(ctx) {
    ctx.ready.set('config', true);
  },
});

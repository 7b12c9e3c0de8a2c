// Wires config, adapters and the core of the xds service; all shared plumbing comes from the kit.
import { runService } from '@gatehouse/kit';

await runService({
  name: 'xds',
  env: {},
  defaults: { grpcPort: 18000, adminPort: 19000 },
  async start(ctx) {
    ctx.ready.set('config', true);
  },
});

// xds service entry point; everything is wired in service.ts, all shared plumbing comes from the kit.
import { runService } from '@gatehouse/kit';
import { xdsService } from './service.js';

await runService(xdsService);

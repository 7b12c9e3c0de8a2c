// `node dist/check-config.js <file-or-directory> [--merge-domains]`: the config checker's entry
// (adapters/check-config-command.ts). Exit 0 when valid, 1 when not, 2 on bad usage.
import { checkConfig } from './adapters/check-config-command.js';

process.exitCode = await checkConfig(process.argv.slice(2), process);

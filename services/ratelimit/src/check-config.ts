// `node dist/check-config.js <file-or-directory> [--merge-domains]`: validates rate limit config the
// way the service loads it (like the reference's config_check_cmd) and prints every problem.
// Exit 0 when valid, 1 when not, 2 on bad usage.
import { readConfigDocuments } from './adapters/file-config-source.js';
import { dumpConfig } from './core/config-dump.js';
import { RateLimitConfigError } from './core/config-error.js';
import { loadDomainConfigs, RateLimitConfig } from './core/rate-limit-config.js';

const args = process.argv.slice(2);
const mergeDomains = args.includes('--merge-domains');
const paths = args.filter((a) => !a.startsWith('--'));
if (paths.length !== 1) {
  process.stderr.write('usage: check-config <file-or-directory> [--merge-domains]\n');
  process.exit(2);
}

try {
  const domains = loadDomainConfigs(await readConfigDocuments(paths[0]!), { mergeDomains });
  process.stdout.write(dumpConfig(new RateLimitConfig(domains)));
  process.stdout.write(`OK: ${domains.length} domain(s)\n`);
} catch (err) {
  if (err instanceof RateLimitConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`GH_RATELIMIT_CONFIG_READ: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

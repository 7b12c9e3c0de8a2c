// `check-config <file-or-directory> [--merge-domains]`: validates rate limit config the way the
// service reads it (same files, same parser; like the reference's config_check_cmd) and prints the
// rules, or every problem. Returns the exit status: 0 valid, 1 not, 2 bad usage.
import { readYamlSource } from '@gatehouse/kit';
import { dumpConfig } from '../core/config-dump.js';
import { loadDomainConfigs, RateLimitConfig } from '../core/rate-limit-config.js';
import { formatConfigIssue, RateLimitConfigError, RateLimitErrorCodes } from '../errors.js';

export interface CheckConfigOutput {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export async function checkConfig(args: readonly string[], out: CheckConfigOutput): Promise<number> {
  const mergeDomains = args.includes('--merge-domains');
  const paths = args.filter((a) => !a.startsWith('--'));
  if (paths.length !== 1) {
    out.stderr.write('usage: check-config <file-or-directory> [--merge-domains]\n');
    return 2;
  }
  let files;
  try {
    // Recursive, as FileConfigSource reads RATELIMIT_CONFIG_PATH.
    files = await readYamlSource(paths[0]!, { recursive: true });
  } catch (err) {
    out.stderr.write(`${RateLimitErrorCodes.configRead}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  let domains;
  try {
    domains = loadDomainConfigs(files, { mergeDomains });
  } catch (err) {
    if (!(err instanceof RateLimitConfigError)) throw err;
    for (const issue of err.issues) out.stderr.write(`${formatConfigIssue(issue)}\n`);
    return 1;
  }
  out.stdout.write(dumpConfig(new RateLimitConfig(domains)));
  out.stdout.write(`OK: ${domains.length} domain(s)\n`);
  return 0;
}

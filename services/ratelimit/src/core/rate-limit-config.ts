// Loading a complete set of config documents (all-or-nothing), and the set of domains the service
// answers for. How sources merge is in config-sources.ts.
import { RateLimitConfigError, type ConfigIssue } from './config-error.js';
import { parseDomainConfig } from './config-parser.js';
import type { DescriptorConfig, DomainConfig } from './config-types.js';
import { DomainMatcher } from './descriptor-matcher.js';

export interface ConfigDocument {
  /** File name (or "redis:<source>") used in errors. */
  readonly name: string;
  readonly text: string;
}

export interface LoadOptions {
  /** Reference MERGE_DOMAIN_CONFIG: documents naming the same domain are merged instead of rejected. */
  readonly mergeDomains: boolean;
}

/**
 * Parses and validates a complete set of documents from one source. All-or-nothing, like the
 * reference: any problem in any document rejects the whole set, so the caller keeps the last good one.
 * @throws RateLimitConfigError with every issue of every document.
 */
export function loadDomainConfigs(documents: readonly ConfigDocument[], options: LoadOptions): DomainConfig[] {
  const issues: ConfigIssue[] = [];
  const byDomain = new Map<string, DomainConfig>();
  for (const document of documents) {
    let parsed: DomainConfig;
    try {
      parsed = parseDomainConfig(document.text, document.name);
    } catch (err) {
      if (err instanceof RateLimitConfigError) {
        issues.push(...err.issues);
        continue;
      }
      throw err;
    }
    const existing = byDomain.get(parsed.domain);
    if (!existing) {
      byDomain.set(parsed.domain, parsed);
    } else if (!options.mergeDomains) {
      issues.push({
        code: 'GH_RATELIMIT_CONFIG_DUPLICATE_DOMAIN',
        file: document.name,
        line: 1,
        path: parsed.domain,
        message: `duplicate domain '${parsed.domain}' in config file (also in ${existing.source})`,
      });
    } else {
      const seen = new Set(existing.descriptors.map(levelKey));
      for (const descriptor of parsed.descriptors) {
        if (seen.has(levelKey(descriptor))) {
          issues.push({
            code: 'GH_RATELIMIT_CONFIG_DUPLICATE_DESCRIPTOR',
            file: document.name,
            line: descriptor.line,
            path: descriptor.path,
            message: `duplicate descriptor composite key '${descriptor.path}'`,
          });
        }
      }
      byDomain.set(parsed.domain, { ...existing, descriptors: [...existing.descriptors, ...parsed.descriptors] });
    }
  }
  if (issues.length > 0) throw new RateLimitConfigError(issues);
  return [...byDomain.values()];
}

function levelKey(descriptor: DescriptorConfig): string {
  return descriptor.value ? `${descriptor.key}_${descriptor.value}` : descriptor.key;
}

export class RateLimitConfig {
  private readonly matchers: ReadonlyMap<string, DomainMatcher>;

  constructor(domains: readonly DomainConfig[]) {
    this.matchers = new Map(domains.map((d) => [d.domain, new DomainMatcher(d)]));
  }

  static empty(): RateLimitConfig {
    return new RateLimitConfig([]);
  }

  matcher(domain: string): DomainMatcher | undefined {
    return this.matchers.get(domain);
  }

  get domains(): DomainConfig[] {
    return [...this.matchers.values()].map((m) => m.config);
  }
}

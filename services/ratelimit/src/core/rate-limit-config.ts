// From config documents to domains: each document is parsed on its own and grouped by the domain it
// declares, so one bad domain never holds back the others (config-state.ts keeps each domain's last
// good version). Also the set of domains the service answers for.
import type { LastGoodCandidate } from '@gatehouse/kit';
import { RateLimitConfigError, RateLimitErrorCodes, type ConfigIssue } from '../errors.js';
import { parseDomainDocument } from './config-parser.js';
import type { DescriptorConfig, DomainConfig } from './config-types.js';
import { DomainMatcher } from './descriptor-matcher.js';

export interface ConfigDocument {
  /** File path (or "redis:<source>") named in issues. */
  readonly path: string;
  readonly text: string;
  /** The domain the document is published as (Redis); files name their domain inside. */
  readonly key?: string;
}

export interface LoadOptions {
  /** Reference MERGE_DOMAIN_CONFIG: documents naming the same domain are merged instead of rejected. */
  readonly mergeDomains: boolean;
}

export interface DomainCandidates {
  /** One per domain named by some document; `value` unset when that domain's documents have problems. */
  readonly candidates: readonly LastGoodCandidate<DomainConfig>[];
  /** Problems of documents that name no domain (invalid YAML, no `domain:`): their file's domains keep serving. */
  readonly unreadable: readonly ConfigIssue[];
}

interface Group {
  config: DomainConfig | undefined;
  readonly issues: ConfigIssue[];
  readonly texts: string[];
  readonly file: string;
}

/** Parses a complete set of documents from one source, domain by domain. */
export function domainCandidates(documents: readonly ConfigDocument[], options: LoadOptions): DomainCandidates {
  const groups = new Map<string, Group>();
  const unreadable: ConfigIssue[] = [];
  for (const document of documents) {
    const parsed = parseDomainDocument(document.text, document.path);
    const domain = document.key || parsed.domain;
    if (!domain) {
      unreadable.push(...parsed.issues);
      continue;
    }
    const issues = [...parsed.issues];
    if (document.key && parsed.domain && parsed.domain !== document.key) {
      issues.push({ code: RateLimitErrorCodes.configBadValue, file: document.path, line: 1, path: domain, message: `published as domain '${domain}' but its YAML declares '${parsed.domain}'` });
    }
    const config = issues.length === 0 ? parsed.config : undefined;
    const group = groups.get(domain);
    if (!group) {
      groups.set(domain, { config, issues, texts: [document.text], file: document.path });
      continue;
    }
    group.texts.push(document.text);
    group.issues.push(...issues);
    if (!options.mergeDomains) {
      group.issues.push({ code: RateLimitErrorCodes.configDuplicateDomain, file: document.path, line: 1, path: domain, message: `duplicate domain '${domain}' in config file (also in ${group.file})` });
    } else if (group.config && config) {
      group.issues.push(...duplicateDescriptors(group.config, config, document.path));
      group.config = { ...group.config, descriptors: [...group.config.descriptors, ...config.descriptors] };
    }
  }
  const candidates = [...groups].map(([domain, group]) => ({
    key: domain,
    file: group.file,
    ...(group.issues.length === 0 && group.config && { value: group.config }),
    issues: group.issues,
    // Every edit of the raw text is a new generation, valid or not.
    fingerprint: JSON.stringify(group.texts),
  }));
  return { candidates, unreadable };
}

function duplicateDescriptors(existing: DomainConfig, added: DomainConfig, file: string): ConfigIssue[] {
  const seen = new Set(existing.descriptors.map(levelKey));
  return added.descriptors
    .filter((d) => seen.has(levelKey(d)))
    .map((d) => ({ code: RateLimitErrorCodes.configDuplicateDescriptor, file, line: d.line, path: d.path, message: `duplicate descriptor composite key '${d.path}'` }));
}

function levelKey(descriptor: DescriptorConfig): string {
  return descriptor.value ? `${descriptor.key}_${descriptor.value}` : descriptor.key;
}

/**
 * All-or-nothing, like the reference's loader (check-config): every domain, or every problem.
 * @throws RateLimitConfigError with every issue of every document.
 */
export function loadDomainConfigs(documents: readonly ConfigDocument[], options: LoadOptions): DomainConfig[] {
  const { candidates, unreadable } = domainCandidates(documents, options);
  const issues = [...unreadable, ...candidates.flatMap((c) => c.issues)];
  if (issues.length > 0) throw new RateLimitConfigError(issues);
  return candidates.map((c) => c.value!);
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

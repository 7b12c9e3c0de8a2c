// Finds the rule for one request descriptor, with the reference's semantics: per entry an exact
// key_value beats a wildcard value (first in config order), which beats a bare key; the walk never
// backtracks; and a rule applies only if it sits at the node matched by the LAST entry.
import { compositeKey } from './config-parser.js';
import type { DescriptorConfig, DomainConfig, RateLimitRule } from './config-types.js';
import { UNIT_SECONDS, type Unit } from './units.js';

export interface DescriptorEntry {
  readonly key: string;
  readonly value: string;
}

export interface RequestDescriptor {
  readonly entries: readonly DescriptorEntry[];
  /** Per-request override from Envoy's `limit` field; wins over the config when the domain exists. */
  readonly limit?: { readonly requestsPerUnit: number; readonly unit: Unit } | undefined;
}

export interface MatchedLimit {
  readonly rule: RateLimitRule;
  /** Metric label: the rule's path, with request values where detailed_metric/value_to_metric ask. */
  readonly metricKey: string;
  /** "<domain>_<key>_<value>_..._" — the reference's cache key without the window start. */
  readonly cacheKeyBase: string;
}

interface TrieNode {
  readonly exact: Map<string, TrieChild>;
  readonly wildcards: readonly TrieChild[];
}

interface TrieChild {
  readonly config: DescriptorConfig;
  readonly node: TrieNode;
  /** For wildcard values only. */
  readonly pattern?: RegExp;
}

export class DomainMatcher {
  private readonly root: TrieNode;

  constructor(readonly config: DomainConfig) {
    this.root = buildNode(config.descriptors);
  }

  get domain(): string {
    return this.config.domain;
  }

  match(descriptor: RequestDescriptor): MatchedLimit | undefined {
    const domain = this.config.domain;
    if (descriptor.limit) return overrideLimit(domain, descriptor, descriptor.limit);

    const entries = descriptor.entries;
    let level: TrieNode | undefined = this.root;
    let found: DescriptorConfig | undefined;
    const path: DescriptorConfig[] = [];
    for (let i = 0; i < entries.length && level; i++) {
      const entry = entries[i]!;
      const next = lookup(level, entry);
      if (!next) break;
      path.push(next.config);
      if (i === entries.length - 1 && next.config.rule) found = next.config;
      level = next.config.children.length > 0 ? next.node : undefined;
    }
    if (!found?.rule || path.length !== entries.length) return undefined;

    let metricKey = domain;
    let cacheKeyBase = `${domain}_`;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const config = path[i]!;
      const isLast = i === entries.length - 1;
      const wildcard = config.value?.includes('*') === true;
      const shared = config.shareThreshold && wildcard;
      const valueInMetric = !shared && (config.valueToMetric || (isLast && found.rule.detailedMetric));
      metricKey += `.${valueInMetric ? compositeKey(entry.key, entry.value) : compositeKey(config.key, config.value)}`;
      cacheKeyBase += `${entry.key}_${shared ? config.value! : entry.value}_`;
    }
    return { rule: found.rule, metricKey, cacheKeyBase };
  }
}

function lookup(level: TrieNode, entry: DescriptorEntry): TrieChild | undefined {
  const exact = level.exact.get(`${entry.key}_${entry.value}`);
  if (exact) return exact;
  for (const wildcard of level.wildcards) {
    if (wildcard.config.key === entry.key && wildcard.pattern!.test(entry.value)) return wildcard;
  }
  return level.exact.get(entry.key);
}

function buildNode(descriptors: readonly DescriptorConfig[]): TrieNode {
  const exact = new Map<string, TrieChild>();
  const wildcards: TrieChild[] = [];
  for (const config of descriptors) {
    const child: TrieChild = { config, node: buildNode(config.children) };
    if (config.value?.includes('*')) wildcards.push({ ...child, pattern: globToRegExp(config.value) });
    else exact.set(compositeKey(config.key, config.value), child);
  }
  return { exact, wildcards };
}

/** '*' matches any run of characters (also none); everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

function overrideLimit(domain: string, descriptor: RequestDescriptor, limit: { requestsPerUnit: number; unit: Unit }): MatchedLimit {
  let metricKey = domain;
  let cacheKeyBase = `${domain}_`;
  for (const entry of descriptor.entries) {
    metricKey += `.${compositeKey(entry.key, entry.value)}`;
    cacheKeyBase += `${entry.key}_${entry.value}_`;
  }
  return {
    rule: {
      fullKey: metricKey,
      requestsPerUnit: limit.requestsPerUnit,
      unit: limit.unit,
      unitMultiplier: 1,
      windowSeconds: UNIT_SECONDS[limit.unit],
      unlimited: false,
      name: undefined,
      replaces: [],
      // The reference never shadows a per-request override.
      shadowMode: false,
      quotaMode: false,
      detailedMetric: false,
      algorithm: 'fixed_window',
      burst: Math.max(1, limit.requestsPerUnit),
    },
    metricKey,
    cacheKeyBase,
  };
}

// Finds the rule for one request descriptor, with the reference's semantics: per entry an exact
// key_value beats a wildcard value (first in config order), which beats a bare key; the walk never
// backtracks; and a rule applies only if it sits at the node matched by the LAST entry.
import { createHash } from 'node:crypto';
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
  /** "<domain>_<key>_<value>_..._" — the reference's cache key without the window start (long values hashed, see keyValue). */
  readonly cacheKeyBase: string;
}

interface TrieNode {
  /** key -> value -> child, so a lookup allocates no "key_value" string. */
  readonly exact: Map<string, Map<string, TrieChild>>;
  readonly wildcards: readonly TrieChild[];
  /** Bare-key children (no value). */
  readonly bare: Map<string, TrieChild>;
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

    // Most rules name their metric by config path alone: reuse the rule's key (no new string).
    let metricKey = found.rule.detailedMetric || path.some((c) => c.valueToMetric) ? domain : found.rule.fullKey;
    const buildMetricKey = metricKey === domain;
    let cacheKeyBase = `${domain}_`;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const config = path[i]!;
      const shared = config.shareThreshold && config.value?.includes('*') === true;
      if (buildMetricKey) {
        const valueInMetric = !shared && (config.valueToMetric || (i === entries.length - 1 && found.rule.detailedMetric));
        metricKey += `.${valueInMetric ? compositeKey(entry.key, entry.value) : compositeKey(config.key, config.value)}`;
      }
      cacheKeyBase += `${entry.key}_${keyValue(shared ? config.value! : entry.value)}_`;
    }
    return { rule: found.rule, metricKey, cacheKeyBase };
  }
}

/** Values longer than this many UTF-8 bytes are hashed into the counter key. */
export const MAX_KEY_VALUE_BYTES = 64;

/**
 * A descriptor value as it appears in a counter key: itself up to MAX_KEY_VALUE_BYTES (the
 * reference's layout, so counters carry over in a migration), else `sha256:<hex>`, so a client
 * sending long distinct values (a header through a Distinct selector) cannot make Redis, and the
 * local cache, hold each of them whole.
 */
export function keyValue(value: string): string {
  if (value.length * 3 <= MAX_KEY_VALUE_BYTES || (value.length <= MAX_KEY_VALUE_BYTES && Buffer.byteLength(value, 'utf8') <= MAX_KEY_VALUE_BYTES)) return value;
  return `sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

function lookup(level: TrieNode, entry: DescriptorEntry): TrieChild | undefined {
  const exact = level.exact.get(entry.key)?.get(entry.value);
  if (exact) return exact;
  for (const wildcard of level.wildcards) {
    if (wildcard.config.key === entry.key && wildcard.pattern!.test(entry.value)) return wildcard;
  }
  return level.bare.get(entry.key);
}

function buildNode(descriptors: readonly DescriptorConfig[]): TrieNode {
  const exact = new Map<string, Map<string, TrieChild>>();
  const wildcards: TrieChild[] = [];
  const bare = new Map<string, TrieChild>();
  for (const config of descriptors) {
    const child: TrieChild = { config, node: buildNode(config.children) };
    if (config.value === undefined) bare.set(config.key, child);
    else if (config.value.includes('*')) wildcards.push({ ...child, pattern: globToRegExp(config.value) });
    else {
      let byValue = exact.get(config.key);
      if (!byValue) exact.set(config.key, (byValue = new Map()));
      byValue.set(config.value, child);
    }
  }
  return { exact, wildcards, bare };
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
    cacheKeyBase += `${entry.key}_${keyValue(entry.value)}_`;
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

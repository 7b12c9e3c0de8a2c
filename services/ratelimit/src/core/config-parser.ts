// Parses one envoyproxy/ratelimit YAML document into a DomainConfig, validating it the way the
// reference does (unknown keys, empty/duplicate descriptors, bad units, unlimited with a unit,
// bad replaces) but reporting every problem with its line and descriptor path.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { RateLimitConfigError, RateLimitErrorCodes, type ConfigErrorCode, type ConfigIssue } from '../errors.js';
import type { Algorithm, DescriptorConfig, DomainConfig, RateLimitRule } from './config-types.js';
import { parseUnit, UNIT_SECONDS } from './units.js';

const ROOT_KEYS = new Set(['domain', 'descriptors']);
const DESCRIPTOR_KEYS = new Set([
  'key',
  'value',
  'rate_limit',
  'descriptors',
  'shadow_mode',
  'quota_mode',
  'detailed_metric',
  'value_to_metric',
  'share_threshold',
]);
const RATE_LIMIT_KEYS = new Set([
  'unit',
  'requests_per_unit',
  'unit_multiplier',
  'unlimited',
  'name',
  'replaces',
  // Gatehouse extensions:
  'algorithm',
  'burst',
]);
const ALGORITHMS: readonly Algorithm[] = ['fixed_window', 'gcra', 'sliding_window'];
const UINT32_MAX = 4_294_967_295;

class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}
  /** 1-based line, undefined when the node has no position. */
  lineOf(node: Node | Pair | null | undefined): number | undefined {
    const range = node && 'range' in node ? node.range : node && 'key' in node ? (node.key as Node | null)?.range : undefined;
    return range ? this.lines.linePos(range[0]).line : undefined;
  }
  add(code: ConfigErrorCode, node: Node | Pair | null | undefined, path: string, message: string): void {
    const line = this.lineOf(node);
    this.issues.push({ code, file: this.file, ...(line !== undefined && { line }), ...(path !== '' && { path }), message });
  }
}

/** One parsed document: its domain when it names one, the config when valid, and every problem. */
export interface ParsedDomainDocument {
  /** The declared domain, when the document is readable enough to name one (even if invalid). */
  readonly domain?: string;
  /** Set only when there are no issues. */
  readonly config?: DomainConfig;
  readonly issues: readonly ConfigIssue[];
}

/** Parses and validates one document without throwing, so a caller can keep serving the rest. */
export function parseDomainDocument(text: string, file: string): ParsedDomainDocument {
  const lines = new LineCounter();
  // The failsafe schema keeps every scalar as its source text, as the reference's Go YAML decoding
  // into string fields does: `value: 1.0` stays "1.0" and `value: 010` stays "010".
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, schema: 'failsafe' });
  const issues = new IssueCollector(file, lines);
  for (const error of doc.errors) {
    issues.issues.push({
      code: RateLimitErrorCodes.configYaml,
      file,
      line: lines.linePos(error.pos[0]).line,
      message: `invalid YAML: ${error.message.split('\n')[0]}`,
    });
  }
  if (issues.issues.length > 0) return { issues: issues.issues };

  const root = doc.contents;
  if (!isMap(root)) {
    issues.add(RateLimitErrorCodes.configBadValue, root, '', 'the document must be a mapping with "domain" and "descriptors"');
    return { issues: issues.issues };
  }
  checkKeys(root, ROOT_KEYS, '', issues);
  const domainNode = root.get('domain', true);
  const domain = scalarString(domainNode, 'domain', issues) ?? '';
  if (domain === '') issues.add(RateLimitErrorCodes.configEmptyDomain, domainNode ?? root, '', 'config file cannot have empty domain');

  const descriptors = parseDescriptorList(root.get('descriptors', true), domain, issues);
  const named = domain === '' ? {} : { domain };
  if (issues.issues.length > 0) return { ...named, issues: issues.issues };
  return { ...named, config: { domain, descriptors, source: file }, issues: [] };
}

/** @throws RateLimitConfigError listing every problem found. */
export function parseDomainConfig(text: string, file: string): DomainConfig {
  const parsed = parseDomainDocument(text, file);
  if (!parsed.config) throw new RateLimitConfigError(parsed.issues);
  return parsed.config;
}

function parseDescriptorList(node: unknown, parentPath: string, issues: IssueCollector): DescriptorConfig[] {
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) {
    issues.add(RateLimitErrorCodes.configBadValue, node as Node, parentPath, '"descriptors" must be a list');
    return [];
  }
  const seen = new Set<string>();
  const result: DescriptorConfig[] = [];
  for (const item of node.items) {
    if (!isMap(item)) {
      issues.add(RateLimitErrorCodes.configBadValue, item as Node, parentPath, 'each descriptor must be a mapping');
      continue;
    }
    const parsed = parseDescriptor(item, parentPath, issues);
    if (!parsed) continue;
    const composite = compositeKey(parsed.key, parsed.value);
    if (seen.has(composite)) {
      issues.add(RateLimitErrorCodes.configDuplicateDescriptor, item, parsed.path, `duplicate descriptor composite key '${parsed.path}'`);
      continue;
    }
    seen.add(composite);
    result.push(parsed);
  }
  return result;
}

/** The reference's map key for a descriptor level: "key" or "key_value". */
export function compositeKey(key: string, value: string | undefined): string {
  return value ? `${key}_${value}` : key;
}

function parseDescriptor(node: YAMLMap, parentPath: string, issues: IssueCollector): DescriptorConfig | undefined {
  const key = scalarString(node.get('key', true), `${parentPath}.key`, issues) ?? '';
  const valueText = scalarString(node.get('value', true), `${parentPath}.value`, issues);
  const value = valueText === '' ? undefined : valueText;
  const path = `${parentPath}.${compositeKey(key, value)}`;
  checkKeys(node, DESCRIPTOR_KEYS, path, issues);
  if (key === '') {
    issues.add(RateLimitErrorCodes.configEmptyKey, node, path, 'descriptor has empty key');
    return undefined;
  }
  const flags = {
    shadowMode: scalarBool(node, 'shadow_mode', path, issues),
    quotaMode: scalarBool(node, 'quota_mode', path, issues),
    detailedMetric: scalarBool(node, 'detailed_metric', path, issues),
  };
  const rateLimitNode = node.get('rate_limit', true);
  const rule = rateLimitNode === undefined || rateLimitNode === null ? undefined : parseRule(rateLimitNode, path, flags, issues);
  return {
    key,
    value,
    rule,
    children: parseDescriptorList(node.get('descriptors', true), path, issues),
    valueToMetric: scalarBool(node, 'value_to_metric', path, issues),
    shareThreshold: scalarBool(node, 'share_threshold', path, issues),
    path,
    line: issues.lineOf(node) ?? 0,
  };
}

function parseRule(
  node: unknown,
  path: string,
  flags: { shadowMode: boolean; quotaMode: boolean; detailedMetric: boolean },
  issues: IssueCollector,
): RateLimitRule | undefined {
  if (!isMap(node)) {
    issues.add(RateLimitErrorCodes.configBadValue, node as Node, path, '"rate_limit" must be a mapping');
    return undefined;
  }
  checkKeys(node, RATE_LIMIT_KEYS, `${path}.rate_limit`, issues);
  const unlimited = scalarBool(node, 'unlimited', path, issues);
  const unitNode = node.get('unit', true);
  const unitText = scalarString(unitNode, `${path}.rate_limit.unit`, issues) ?? '';
  const unit = parseUnit(unitText);
  if (unlimited && unit) {
    issues.add(RateLimitErrorCodes.configUnlimitedWithUnit, unitNode, path, 'should not specify rate limit unit when unlimited');
  } else if (!unlimited && !unit) {
    issues.add(RateLimitErrorCodes.configBadUnit, unitNode ?? node, path, `invalid rate limit unit '${unitText}' (expected one of ${Object.keys(UNIT_SECONDS).join(', ')})`);
  }
  const requestsPerUnit = scalarUint(node, 'requests_per_unit', path, issues, 0);
  const unitMultiplier = scalarUint(node, 'unit_multiplier', path, issues, 1);
  if (unitMultiplier < 1) issues.add(RateLimitErrorCodes.configBadValue, node.get('unit_multiplier', true) as Node, path, 'unit_multiplier must be at least 1');

  const name = scalarString(node.get('name', true), `${path}.rate_limit.name`, issues) || undefined;
  const replaces = parseReplaces(node.get('replaces', true), name, path, issues);

  const algorithmText = scalarString(node.get('algorithm', true), `${path}.rate_limit.algorithm`, issues) ?? 'fixed_window';
  const algorithm = ALGORITHMS.find((a) => a === algorithmText);
  if (!algorithm) {
    issues.add(RateLimitErrorCodes.configBadValue, node.get('algorithm', true) as Node, path, `unknown algorithm '${algorithmText}' (expected one of ${ALGORITHMS.join(', ')})`);
  }
  const burst = scalarUint(node, 'burst', path, issues, requestsPerUnit);
  if (node.has('burst') && algorithm !== 'gcra') {
    issues.add(RateLimitErrorCodes.configBadValue, node.get('burst', true) as Node, path, '"burst" applies only to algorithm: gcra');
  }
  return {
    fullKey: path,
    requestsPerUnit,
    unit: unlimited ? undefined : unit,
    unitMultiplier: Math.max(1, unitMultiplier),
    windowSeconds: unit ? UNIT_SECONDS[unit] * Math.max(1, unitMultiplier) : 0,
    unlimited,
    name,
    replaces,
    ...flags,
    algorithm: algorithm ?? 'fixed_window',
    burst: Math.max(1, burst),
  };
}

function parseReplaces(node: unknown, ownName: string | undefined, path: string, issues: IssueCollector): string[] {
  if (node === undefined || node === null) return [];
  if (!isSeq(node)) {
    issues.add(RateLimitErrorCodes.configBadValue, node as Node, path, '"replaces" must be a list of {name: ...}');
    return [];
  }
  const names: string[] = [];
  for (const item of node.items) {
    if (!isMap(item)) {
      issues.add(RateLimitErrorCodes.configBadValue, item as Node, path, '"replaces" entries must be mappings with a name');
      continue;
    }
    checkKeys(item, new Set(['name']), `${path}.rate_limit.replaces`, issues);
    const name = scalarString(item.get('name', true), `${path}.rate_limit.replaces.name`, issues) ?? '';
    if (name === '') issues.add(RateLimitErrorCodes.configBadReplaces, item, path, 'should not have an empty replaces entry');
    else if (name === ownName) issues.add(RateLimitErrorCodes.configBadReplaces, item, path, 'replaces should not contain name of same descriptor');
    else names.push(name);
  }
  return names;
}

function checkKeys(node: YAMLMap, allowed: ReadonlySet<string>, path: string, issues: IssueCollector): void {
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? pair.key.value : pair.key;
    if (typeof key !== 'string') {
      issues.add(RateLimitErrorCodes.configUnknownKey, pair, path, `config error, key is not of type string: ${String(key)}`);
    } else if (!allowed.has(key)) {
      issues.add(RateLimitErrorCodes.configUnknownKey, pair, path, `config error, unknown key '${key}'`);
    }
  }
}

function scalarText(node: unknown): string | undefined | Node {
  if (node === undefined || node === null) return undefined;
  if (!isScalar(node)) return node as Node;
  return node.value === null || node.value === undefined ? undefined : String(node.value);
}

function scalarString(node: unknown, path: string, issues: IssueCollector): string | undefined {
  const text = scalarText(node);
  if (text === undefined || typeof text === 'string') return text;
  issues.add(RateLimitErrorCodes.configBadValue, text, path, 'expected a string');
  return undefined;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', 'y']);
const FALSE_WORDS = new Set(['false', 'no', 'off', 'n', '']);

function scalarBool(map: YAMLMap, key: string, path: string, issues: IssueCollector): boolean {
  const node = map.get(key, true);
  const text = scalarText(node);
  if (text === undefined) return false;
  if (typeof text === 'string') {
    const lower = text.toLowerCase();
    if (TRUE_WORDS.has(lower)) return true;
    if (FALSE_WORDS.has(lower)) return false;
  }
  issues.add(RateLimitErrorCodes.configBadValue, node as Node, path, `"${key}" must be true or false`);
  return false;
}

function scalarUint(map: YAMLMap, key: string, path: string, issues: IssueCollector, fallback: number): number {
  const node = map.get(key, true);
  const text = scalarText(node);
  if (text === undefined || text === '') return fallback;
  if (typeof text === 'string' && /^\+?[0-9]+$/.test(text)) {
    const value = Number(text);
    if (value <= UINT32_MAX) return value;
  }
  issues.add(RateLimitErrorCodes.configBadValue, node as Node, path, `"${key}" must be an unsigned 32-bit integer`);
  return fallback;
}

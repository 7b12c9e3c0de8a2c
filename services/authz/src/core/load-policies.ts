// Config text (YAML files, or the xds publication) -> PolicySet. Secrets and ConfigMaps referenced by
// policies come from the same documents (files) or the publication's secrets map (Redis).
// Any issue rejects the whole load: the caller keeps serving the last good set.
import { parseAllDocuments } from 'yaml';
import { compileSecurityPolicy } from './policy/compile.js';
import type { CompiledPolicy } from './policy/policy-model.js';
import { createPolicySet, type PolicySet } from './policy/policy-set.js';
import { validateSecurityPolicyDocument } from './policy/validate-resource.js';

export interface ConfigFile {
  readonly file: string;
  readonly text: string;
}

export interface ConfigIssue {
  readonly file: string;
  readonly line?: number;
  /** "SecurityPolicy ns/name", when known. */
  readonly resource?: string;
  readonly path: string;
  readonly message: string;
  readonly code: string;
}

export interface LoadResult {
  readonly policySet?: PolicySet;
  readonly issues: readonly ConfigIssue[];
  /** With `partial`: keys ("<namespace>/<name>") of the policies left out because of their issues. */
  readonly rejected?: readonly string[];
}

export interface LoadOptions {
  /** Resource data (Secrets, ConfigMaps) from outside the files, keyed "<namespace>/<name>". */
  readonly extraData?: ReadonlyMap<string, ResourceData>;
  /**
   * false (files): any issue rejects the whole load. true (the xds publication, already validated by
   * xds): valid policies load, broken ones are left out and listed in `rejected`.
   */
  readonly partial?: boolean;
}

type ResourceData = Record<string, Buffer>;

/** "file:line: SecurityPolicy ns/name: /spec/x: message [CODE]" — one line an operator can act on. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`;
  return `${where}: ${issue.resource ? `${issue.resource}: ` : ''}${issue.path}: ${issue.message} [${issue.code}]`;
}

interface ParsedDoc {
  readonly file: string;
  readonly value: Record<string, unknown>;
  readonly lineOf: (path: string) => number | undefined;
}

export function loadPolicies(files: readonly ConfigFile[], version: string, options: LoadOptions = {}): LoadResult {
  const extraData = options.extraData ?? new Map<string, ResourceData>();
  const rejected: string[] = [];
  const issues: ConfigIssue[] = [];
  const docs: ParsedDoc[] = [];
  for (const { file, text } of files) {
    for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
      if (doc.errors.length > 0) {
        for (const error of doc.errors) issues.push({ file, line: error.linePos?.[0]?.line, path: '/', message: error.message, code: 'GH_AUTHZ_CONFIG_YAML' });
        continue;
      }
      const value = doc.toJS() as unknown;
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) {
        issues.push({ file, path: '/', message: 'a document must be a mapping', code: 'GH_AUTHZ_CONFIG_YAML' });
        continue;
      }
      const lineCounter = text.slice(0, doc.range[0]).split('\n').length;
      docs.push({ file, value: value as Record<string, unknown>, lineOf: (path) => lineOfPath(doc, text, path) ?? lineCounter });
    }
  }
  const data = new Map<string, ResourceData>(extraData);
  for (const { value } of docs) {
    if (value.kind !== 'Secret' && value.kind !== 'ConfigMap') continue;
    const metadata = (value.metadata ?? {}) as Record<string, unknown>;
    const key = `${value.kind}:${String(metadata.namespace ?? 'default')}/${String(metadata.name ?? '')}`;
    data.set(key, resourceData(value));
  }
  const policies: CompiledPolicy[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    if (doc.value.kind !== 'SecurityPolicy') continue;
    const metadata = (doc.value.metadata ?? {}) as Record<string, unknown>;
    const key = `${String(metadata.namespace ?? 'default')}/${String(metadata.name ?? '?')}`;
    const resource = `SecurityPolicy ${key}`;
    const schemaIssues = validateSecurityPolicyDocument(doc.value);
    if (schemaIssues.length > 0) {
      for (const i of schemaIssues) issues.push({ file: doc.file, line: doc.lineOf(i.path), resource, path: i.path, message: i.message, code: 'GH_AUTHZ_CONFIG_SCHEMA' });
      rejected.push(key);
      continue;
    }
    const result = compileSecurityPolicy(doc.value, {
      lookup: (kind, namespace, name) => data.get(`${kind}:${namespace}/${name}`) ?? (kind === 'Secret' || kind === 'ConfigMap' ? data.get(`${namespace}/${name}`) : undefined),
    });
    for (const i of result.issues) issues.push({ file: doc.file, line: doc.lineOf(i.path), resource, path: i.path, message: i.message, code: i.code });
    if (!result.policy) rejected.push(key);
    if (result.policy) {
      if (seen.has(result.policy.key)) issues.push({ file: doc.file, line: doc.lineOf('/metadata/name'), resource, path: '/metadata/name', message: 'is defined twice', code: 'GH_AUTHZ_CONFIG_DUPLICATE' });
      seen.add(result.policy.key);
      policies.push(result.policy);
    }
  }
  if (options.partial) return { policySet: createPolicySet(version, policies), issues, rejected };
  if (issues.length > 0) return { issues };
  return { policySet: createPolicySet(version, policies), issues };
}

function resourceData(value: Record<string, unknown>): ResourceData {
  const out: ResourceData = {};
  for (const [k, v] of Object.entries((value.data ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = value.kind === 'Secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8');
  }
  for (const [k, v] of Object.entries((value.stringData ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = Buffer.from(v, 'utf8');
  }
  return out;
}

function lineOfPath(doc: ReturnType<typeof parseAllDocuments>[number], text: string, pointer: string): number | undefined {
  const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  // Walk up to the deepest existing node, so a missing field points at its parent.
  for (let depth = segments.length; depth >= 0; depth--) {
    const node = doc.getIn(segments.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return text.slice(0, node.range[0]).split('\n').length;
  }
  return undefined;
}

// Config text (YAML files, or the xds publication) -> one candidate per SecurityPolicy: the compiled
// policy, or the issues that refuse it (file, line, kind/namespace/name, JSON pointer, code). Secrets
// and ConfigMaps referenced by policies come from the same documents (files) or the publication's
// secrets map (Redis), as do Backends and (files: backend-tls-files.ts) the BackendTLSPolicies on them.
// Which version serves is decided per policy by policy-sources.ts (LastGood).
import type { LastGoodCandidate } from '@gatehouse/kit';
import { formatConfigIssue, parseYamlFile, type ConfigIssue } from '@gatehouse/schemas';
import { ErrorCodes } from '../errors.js';
import { applyBackendTlsPolicies } from './backend-tls-files.js';
import { compileSecurityPolicy } from './policy/compile.js';
import type { CompiledPolicy } from './policy/policy-model.js';
import { createPolicySet, type PolicySet } from './policy/policy-set.js';
import { validateSecurityPolicyDocument } from './policy/validate-resource.js';

export { formatConfigIssue, type ConfigIssue };

export interface ConfigFile {
  readonly file: string;
  readonly text: string;
}

/** Keyed "<namespace>/<name>", the policy key Envoy names in context_extensions. */
export type PolicyCandidate = LastGoodCandidate<CompiledPolicy>;

export interface LoadResult {
  /** One per policy key, in file order: the compiled policy, or (value undefined) why it is refused. */
  readonly candidates: readonly PolicyCandidate[];
  /** Problems no policy can be told apart in: a file that does not parse, a document without a name. */
  readonly unreadable: readonly ConfigIssue[];
  /** Every issue: the candidates' and the unreadable ones. */
  readonly issues: readonly ConfigIssue[];
  /** The compiled policies as one set: with `partial` always, otherwise only when nothing has an issue. */
  readonly policySet?: PolicySet;
  /** With `partial`: keys of the policies left out because of their issues. */
  readonly rejected?: readonly string[];
}

export interface LoadOptions {
  /** Resource data (Secrets, ConfigMaps) from outside the files, keyed "<namespace>/<name>". */
  readonly extraData?: ReadonlyMap<string, ResourceData>;
  /** Return the set of the policies that compiled even when others did not (see LoadResult.policySet). */
  readonly partial?: boolean;
}

type ResourceData = Record<string, Buffer>;

interface ParsedDoc {
  readonly file: string;
  readonly value: Record<string, unknown>;
  readonly lineOf: (pointer: string) => number;
}

export function loadPolicies(files: readonly ConfigFile[], version: string, options: LoadOptions = {}): LoadResult {
  const { docs, unreadable } = parseDocuments(files);
  const data = new Map<string, ResourceData>(options.extraData ?? []);
  for (const { value } of docs) {
    if (value.kind !== 'Secret' && value.kind !== 'ConfigMap' && value.kind !== 'Backend') continue;
    const metadata = (value.metadata ?? {}) as Record<string, unknown>;
    data.set(`${value.kind}:${String(metadata.namespace ?? 'default')}/${String(metadata.name ?? '')}`, value.kind === 'Backend' ? backendData(value) : resourceData(value));
  }
  // BackendTLSPolicies on those Backends: read as xds publishes them, or the Backend carries why not.
  applyBackendTlsPolicies(docs.filter((d) => d.value.kind === 'BackendTLSPolicy'), data);
  const lookup = (kind: string, namespace: string, name: string) => data.get(`${kind}:${namespace}/${name}`) ?? data.get(`${namespace}/${name}`);
  const byKey = new Map<string, PolicyCandidate>();
  for (const doc of docs) {
    if (doc.value.kind !== 'SecurityPolicy') continue;
    const metadata = (doc.value.metadata ?? {}) as Record<string, unknown>;
    if (typeof metadata.name !== 'string' || metadata.name === '') {
      unreadable.push({ code: ErrorCodes.configInvalid, file: doc.file, line: doc.lineOf('/metadata'), kind: 'SecurityPolicy', path: '/metadata/name', message: 'is required' });
      continue;
    }
    const candidate = compileDocument(doc, typeof metadata.namespace === 'string' ? metadata.namespace : 'default', metadata.name, lookup);
    const earlier = byKey.get(candidate.key);
    // Defined twice: neither version is taken (which one was meant is unknown); the last good one serves.
    byKey.set(candidate.key, earlier ? duplicate(earlier, candidate, doc) : candidate);
  }
  const candidates = [...byKey.values()];
  const issues = [...unreadable, ...candidates.flatMap((c) => c.issues)];
  const compiled = candidates.flatMap((c) => (c.value ? [c.value] : []));
  const rejected = candidates.filter((c) => !c.value).map((c) => c.key);
  if (options.partial) return { candidates, unreadable, issues, policySet: createPolicySet(version, compiled), rejected };
  return { candidates, unreadable, issues, ...(issues.length === 0 && { policySet: createPolicySet(version, compiled) }) };
}

/** Every mapping document of every file that parses; a file with a YAML error contributes none. */
function parseDocuments(files: readonly ConfigFile[]): { docs: ParsedDoc[]; unreadable: ConfigIssue[] } {
  const docs: ParsedDoc[] = [];
  const unreadable: ConfigIssue[] = [];
  for (const { file, text } of files) {
    const parsed = parseYamlFile(text, file);
    if (parsed.errors.length > 0) {
      unreadable.push(...parsed.errors);
      continue;
    }
    for (const doc of parsed.documents) {
      if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
        unreadable.push({ code: ErrorCodes.configYaml, file, line: doc.lineOf(''), message: 'a document must be a mapping' });
        continue;
      }
      docs.push({ file, value: doc.value as Record<string, unknown>, lineOf: (pointer) => doc.lineOf(pointer) });
    }
  }
  return { docs, unreadable };
}

function compileDocument(doc: ParsedDoc, namespace: string, name: string, lookup: (kind: string, namespace: string, name: string) => ResourceData | undefined): PolicyCandidate {
  const key = `${namespace}/${name}`;
  const at = (path: string, message: string, code: string): ConfigIssue => ({ code, file: doc.file, line: doc.lineOf(path), kind: 'SecurityPolicy', namespace, name, path, message });
  // The raw document (and what is wrong with it) identifies a version: every edit is a new generation.
  const fingerprint = (issues: readonly ConfigIssue[]) => JSON.stringify([doc.value, issues.map((i) => `${i.path}:${i.code}:${i.message}`)]);
  const schemaIssues = validateSecurityPolicyDocument(doc.value).map((i) => at(i.path, i.message, ErrorCodes.configSchema));
  if (schemaIssues.length > 0) return { key, file: doc.file, issues: schemaIssues, fingerprint: fingerprint(schemaIssues) };
  const result = compileSecurityPolicy(doc.value, { lookup });
  const issues = result.issues.map((i) => at(i.path, i.message, i.code));
  return { key, file: doc.file, ...(result.policy && { value: result.policy }), issues, fingerprint: fingerprint(issues) };
}

function duplicate(earlier: PolicyCandidate, later: PolicyCandidate, doc: ParsedDoc): PolicyCandidate {
  const [namespace, name] = later.key.split('/') as [string, string];
  const issue: ConfigIssue = {
    code: ErrorCodes.configDuplicate,
    file: doc.file,
    line: doc.lineOf('/metadata/name'),
    kind: 'SecurityPolicy',
    namespace,
    name,
    path: '/metadata/name',
    message: `is defined twice (also in ${earlier.file ?? 'an earlier document'})`,
  };
  const issues = [...earlier.issues, ...later.issues, issue];
  return { key: earlier.key, ...(earlier.file !== undefined && { file: earlier.file }), issues, fingerprint: JSON.stringify([earlier.fingerprint, later.fingerprint]) };
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

/** A Backend document (remoteJWKS backendRefs): the address of its first IP or FQDN endpoint, as xds publishes it. */
function backendData(value: Record<string, unknown>): ResourceData {
  const spec = (value.spec ?? {}) as { endpoints?: Array<{ ip?: { address?: string; port?: number }; fqdn?: { hostname?: string; port?: number } }> };
  for (const endpoint of spec.endpoints ?? []) {
    const at = endpoint.ip ? { host: endpoint.ip.address, port: endpoint.ip.port } : { host: endpoint.fqdn?.hostname, port: endpoint.fqdn?.port };
    if (at.host && at.port) return { address: Buffer.from(`${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}`) };
  }
  return {};
}

// Reads the watched directory's YAML text into resources. Pure: the adapter hands in file
// contents and, to keep the last good version of a file that stops parsing, the previous result.
import { XdsErrorCodes } from '../../errors.js';
import { formatIssue, parseYamlFile, validateResource, type ConfigIssue } from '@gatehouse/schemas';
import { DEFAULT_NAMESPACE, resourceKey, type GatewayResource, type ResourceIssue } from './resource-types.js';
import { deprecationWarning, SUPPORTED_KINDS } from './supported-kinds.js';

export interface SourceFile {
  path: string;
  text: string;
}

/** A problem with a file or a document in it, as the kit's one issue shape (with file and line). */
export interface FileError extends ConfigIssue {
  /** GH_XDS_YAML_PARSE | GH_XDS_DOCUMENT_INVALID | GH_XDS_KIND_UNSUPPORTED | GH_XDS_DUPLICATE_RESOURCE */
  readonly code: string;
  readonly file: string;
  readonly line: number;
  /** True when the file's previous good version is still being served. */
  keptPrevious: boolean;
}

/** The last good parse of one file. */
export interface ParsedFile {
  readonly text: string;
  readonly resources: readonly GatewayResource[];
  /** Problems inside an otherwise good file (a document of an unknown kind, ...). */
  readonly errors: readonly FileError[];
}

/**
 * The good parse of each file, keyed by path; pass it back in as `previous` next time: a file that
 * stops parsing keeps its previous resources, and an unchanged file is not parsed again.
 */
export type ParsedFiles = ReadonlyMap<string, ParsedFile>;

export interface LoadOptions {
  /** Result of the previous load: a file that no longer parses keeps its previous resources. */
  previous?: ParsedFiles;
  /** Schema validation of one document. Default: @gatehouse/schemas validateResource (the vendored CRDs); false skips it. */
  validate?: ((document: GatewayResource) => ReadonlyArray<{ path: string; message: string }>) | false;
}

export interface LoadResult {
  resources: GatewayResource[];
  fileErrors: FileError[];
  parsed: ParsedFiles;
}

export function loadResourcesFromFiles(files: readonly SourceFile[], options: LoadOptions = {}): LoadResult {
  const fileErrors: FileError[] = [];
  const parsed = new Map<string, ParsedFile>();
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const previous = options.previous?.get(file.path);
    if (previous && previous.text === file.text) {
      parsed.set(file.path, previous);
      fileErrors.push(...previous.errors);
      continue;
    }
    const outcome = parseFile(file, options);
    if (outcome.ok) {
      parsed.set(file.path, { text: file.text, resources: outcome.resources, errors: outcome.errors });
      fileErrors.push(...outcome.errors);
      continue;
    }
    if (previous) parsed.set(file.path, previous);
    fileErrors.push(...outcome.errors.map((e) => ({ ...e, keptPrevious: previous !== undefined })));
  }

  // The same resource in two files: the first file (by path) wins, the other is reported.
  const resources: GatewayResource[] = [];
  const seen = new Map<string, string>();
  for (const [path, file] of parsed) {
    for (const resource of file.resources) {
      const key = resourceKey(resource);
      const first = seen.get(key);
      if (first !== undefined) {
        fileErrors.push({
          code: XdsErrorCodes.duplicateResource,
          file: path,
          line: resource.source?.kind === 'file' ? resource.source.line : 1,
          message: `${key} is already defined in ${first}; this copy is ignored`,
          keptPrevious: false,
        });
        continue;
      }
      seen.set(key, path);
      resources.push(resource);
    }
  }
  return { resources, fileErrors, parsed };
}

type ParseOutcome = { ok: true; resources: GatewayResource[]; errors: FileError[] } | { ok: false; errors: FileError[] };

function parseFile(file: SourceFile, options: LoadOptions): ParseOutcome {
  const parsed = parseYamlFile(file.text, file.path);
  if (parsed.errors.length > 0) {
    return { ok: false, errors: parsed.errors.map((e) => ({ code: XdsErrorCodes.yamlParse, file: file.path, line: e.line, message: e.message, keptPrevious: false })) };
  }
  const validate = options.validate === false ? undefined : (options.validate ?? validateResource);
  const resources: GatewayResource[] = [];
  const errors: FileError[] = [];
  for (const doc of parsed.documents) {
    const line = doc.lineOf('');
    const problem = describeShapeProblem(doc.value);
    if (problem) {
      errors.push({ code: problem.code, file: file.path, line, message: problem.message, keptPrevious: false });
      continue;
    }
    const resource = doc.value as GatewayResource;
    const issues = (validate?.(resource) ?? []).map(
      (issue): ResourceIssue => ({
        ...issue,
        line: doc.lineOf(issue.path),
        formatted: formatIssue(
          { file: file.path, line: doc.lineOf(issue.path), kind: resource.kind, namespace: resource.metadata.namespace ?? DEFAULT_NAMESPACE, name: resource.metadata.name, path: issue.path },
          issue.message,
        ),
      }),
    );
    resource.metadata.namespace ||= DEFAULT_NAMESPACE;
    resource.source = { kind: 'file', file: file.path, line };
    if (issues.length > 0) resource.issues = issues;
    const deprecated = deprecationWarning(resource.apiVersion, resource.kind);
    if (deprecated) resource.warnings = [deprecated];
    resources.push(resource);
  }
  return { ok: true, resources, errors };
}

function describeShapeProblem(value: unknown): { code: string; message: string } | undefined {
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { code: XdsErrorCodes.documentInvalid, message: 'document is not a mapping' };
  }
  const doc = value as Record<string, unknown>;
  if (typeof doc.kind !== 'string' || typeof doc.apiVersion !== 'string') {
    return { code: XdsErrorCodes.documentInvalid, message: 'document needs string "apiVersion" and "kind"' };
  }
  const metadata = doc.metadata as Record<string, unknown> | undefined;
  if (typeof metadata !== 'object' || metadata === null || typeof metadata.name !== 'string' || metadata.name === '') {
    return { code: XdsErrorCodes.documentInvalid, message: `${doc.kind}: metadata.name is required` };
  }
  if (metadata.namespace !== undefined && typeof metadata.namespace !== 'string') {
    return { code: XdsErrorCodes.documentInvalid, message: `${doc.kind} ${metadata.name}: metadata.namespace must be a string` };
  }
  const expected = SUPPORTED_KINDS.get(doc.kind);
  if (!expected) return { code: XdsErrorCodes.kindUnsupported, message: `kind ${doc.kind} is not supported` };
  if (!expected.includes(doc.apiVersion)) {
    return { code: XdsErrorCodes.kindUnsupported, message: `${doc.kind}: apiVersion ${doc.apiVersion} is not supported (use ${expected.join(' or ')})` };
  }
  return undefined;
}

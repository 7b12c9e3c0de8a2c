// CERTS_CONFIG_PATH's files to the resources that serve, keeping the last good version of each
// resource (Certificate, Issuer, ClusterIssuer, Secret by kind/namespace/name; the kit's LastGood):
// - a resource whose newest version is invalid keeps serving its last accepted version, and the
//   problem is reported (file, line, JSON path) with the generation that serves;
// - the other resources of the same file update as usual;
// - a resource that was never valid is not served;
// - a file that no longer parses (or holds a document without kind and name) keeps all its resources;
// - a resource that is gone from every file is gone.
// No I/O: the adapter (adapters/config-source.ts) hands in the files' texts.
import { LastGood, type LastGoodCandidate, type LastGoodResult, type YamlFile } from '@gatehouse/kit';
import { parseYamlFile, type ConfigIssue } from '@gatehouse/schemas';
import { compileDocument, resourceSetOf, type CertsResource, type ResourceSet, type SchemaValidator } from '../core/resource-model.js';
import { CertsErrorCodes } from '../errors.js';

export interface IntakeResult {
  /** What serves now. */
  readonly set: ResourceSet;
  /** Everything to report: syntax errors, invalid resources, duplicates, and which generation serves. */
  readonly issues: readonly ConfigIssue[];
  readonly lastGood: LastGoodResult<CertsResource>;
}

export class ConfigIntake {
  readonly lastGood = new LastGood<CertsResource>();

  constructor(private readonly validateSchema?: SchemaValidator) {}

  /** One complete reading of every file. */
  apply(files: readonly YamlFile[]): IntakeResult {
    const candidates: LastGoodCandidate<CertsResource>[] = [];
    const unreadable: ConfigIssue[] = [];
    const duplicates: ConfigIssue[] = [];
    const definedIn = new Map<string, string>();
    for (const { path, text } of files) {
      const parsed = parseYamlFile(text, path);
      if (parsed.errors.length > 0) {
        unreadable.push(...parsed.errors);
        continue;
      }
      for (const document of parsed.documents) {
        const compiled = compileDocument({ file: path, doc: document.value, lineOf: document.lineOf }, this.validateSchema);
        if (!compiled) continue; // not a kind this service reads
        if (!compiled.key) {
          unreadable.push(...compiled.issues);
          continue;
        }
        const first = definedIn.get(compiled.key);
        if (first !== undefined) {
          duplicates.push({ code: CertsErrorCodes.CONFIG_INVALID, file: path, line: document.lineOf('/metadata/name'), ...identity(compiled.key), path: '/metadata/name', message: `is defined again; the definition in ${first} is used` });
          continue;
        }
        definedIn.set(compiled.key, path);
        candidates.push({
          key: compiled.key,
          file: path,
          ...(compiled.resource ? { value: compiled.resource } : {}),
          issues: compiled.issues,
          // Every edit is a new generation, a refused one included.
          fingerprint: JSON.stringify(document.value),
        });
      }
    }
    const result = this.lastGood.update(candidates, unreadable);
    const issues: ConfigIssue[] = [...unreadable, ...candidates.flatMap((c) => (c.value === undefined ? c.issues : [])), ...duplicates];
    for (const entry of result.stale) {
      issues.push({
        code: CertsErrorCodes.CONFIG_INVALID,
        ...(entry.file !== undefined ? { file: entry.file } : {}),
        ...identity(entry.key),
        message: `generation ${entry.generation} is refused; generation ${entry.servingGeneration} keeps serving`,
      });
    }
    for (const refused of result.refused) {
      issues.push({ code: CertsErrorCodes.CONFIG_INVALID, ...(refused.file !== undefined ? { file: refused.file } : {}), ...identity(refused.key), message: 'was never valid: not served' });
    }
    return { set: resourceSetOf(result.serving.map((e) => e.value), issues), issues, lastGood: result };
  }
}

/** kind, namespace and name of a key "Kind ns/name" (or "ClusterIssuer name"). */
function identity(key: string): { kind: string; namespace?: string; name: string } {
  const [kind = '', rest = ''] = key.split(' ');
  const slash = rest.indexOf('/');
  return slash < 0 ? { kind, name: rest } : { kind, namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

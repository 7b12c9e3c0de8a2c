// The pipeline's inputs: watched files and admin-API resources (the admin API wins per resource),
// each parsed once, and which of them changed since the last translation (named on its span).
import {
  loadResourcesFromFiles,
  mergeResourceSources,
  type FileError,
  type GatewayResource,
  type ParsedFiles,
  type SourceFile,
  type StoredResource,
} from '../core/index.js';

/** The source name admin-API changes are tracked under. */
const ADMIN_SOURCE = 'admin-api';

export class ConfigInputs {
  private parsedFiles?: ParsedFiles;
  private fileResources: GatewayResource[] = [];
  private adminResources: GatewayResource[] = [];
  private fileErrorList: FileError[] = [];
  private adminErrorList: FileError[] = [];
  /** Text of each file last taken, to tell which changed. */
  private fileTexts = new Map<string, string>();
  private readonly changed = new Set<string>();

  /** Every watched file's text; a file that stops parsing keeps its last good version. */
  setFiles(files: readonly SourceFile[]): void {
    const texts = new Map(files.map((f) => [f.path, f.text]));
    for (const [path, text] of texts) if (this.fileTexts.get(path) !== text) this.changed.add(path);
    for (const path of this.fileTexts.keys()) if (!texts.has(path)) this.changed.add(path);
    this.fileTexts = texts;
    const loaded = loadResourcesFromFiles(files, this.parsedFiles ? { previous: this.parsedFiles } : {});
    this.parsedFiles = loaded.parsed;
    this.fileResources = loaded.resources;
    this.fileErrorList = loaded.fileErrors;
  }

  /** Every resource applied through the admin API. */
  setAdminResources(stored: readonly StoredResource[]): void {
    this.changed.add(ADMIN_SOURCE);
    const loaded = loadResourcesFromFiles(stored.map((s) => ({ path: `admin:${s.key}`, text: s.yaml })));
    this.adminResources = loaded.resources;
    this.adminErrorList = loaded.fileErrors;
  }

  /** Files and admin resources merged (admin wins), plus `extra` admin documents (a dry run). */
  resources(extra: readonly GatewayResource[] = []): GatewayResource[] {
    return mergeResourceSources(this.fileResources, extra.length > 0 ? [...this.adminResources, ...extra] : this.adminResources);
  }

  get fileErrors(): FileError[] {
    return this.fileErrorList;
  }

  get adminErrors(): FileError[] {
    return this.adminErrorList;
  }

  /** Sources changed since the last call, sorted. */
  takeChanged(): string[] {
    const changed = [...this.changed].sort();
    this.changed.clear();
    return changed;
  }
}

// CERTS_CONFIG_PATH: a YAML file or a directory of them (*.yaml, *.yml), watched. Each file keeps
// its last good version: a file with a syntax error or an invalid resource is reported and its
// previous contents keep applying, while the other files update normally.
import { statSync, watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { buildResourceSet, formatIssue, type ResourceSet, type SchemaValidator, type SourceDocument } from '../core/resource-model.js';

export interface ConfigSourceOptions {
  readonly path: string;
  readonly validateSchema?: SchemaValidator;
  readonly onChange: (set: ResourceSet) => void | Promise<void>;
  readonly onIssue: (message: string) => void;
  readonly debounceMs?: number;
}

async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const entries = await readdir(path);
  return entries.filter((e) => /\.ya?ml$/.test(e) && !e.startsWith('.')).sort().map((e) => join(path, e));
}

export function parseYamlFile(text: string, file: string): { documents: SourceDocument[]; errors: string[] } {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter });
  const errors: string[] = [];
  const documents: SourceDocument[] = [];
  for (const doc of parsed) {
    for (const err of doc.errors) {
      const pos = lineCounter.linePos(err.pos[0]);
      errors.push(`${file}:${pos.line}: GH_CERTS_CONFIG_YAML: ${err.message.split('\n')[0]}`);
    }
    if (doc.errors.length === 0) documents.push({ file, doc: doc.toJS() });
  }
  return { documents, errors };
}

export class ConfigSource {
  private readonly lastGood = new Map<string, SourceDocument[]>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConfigSourceOptions) {}

  /** Reads everything once; returns the resulting set (also passed to onChange). */
  async load(): Promise<ResourceSet> {
    const files = await listFiles(this.options.path);
    for (const file of [...this.lastGood.keys()]) if (!files.includes(file)) this.lastGood.delete(file);
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        this.options.onIssue(`${file}: GH_CERTS_CONFIG_UNREADABLE: ${String(err)}`);
        continue;
      }
      const { documents, errors } = parseYamlFile(text, file);
      const issues = errors.length === 0 ? buildResourceSet(documents, this.options.validateSchema).issues.map(formatIssue) : errors;
      if (issues.length > 0) {
        for (const issue of issues) this.options.onIssue(issue);
        if (this.lastGood.has(file)) this.options.onIssue(`${file}: keeping its last good version`);
        continue;
      }
      this.lastGood.set(file, documents);
    }
    const set = buildResourceSet([...this.lastGood.values()].flat(), this.options.validateSchema);
    await this.options.onChange(set);
    return set;
  }

  /**
   * Watches the directory, or the directory of a single file (editors and config management
   * replace files by renaming, which a watch on the file itself would not survive).
   */
  watch(): void {
    const path = this.options.path;
    const single = !statSync(path).isDirectory();
    this.watcher = watch(single ? dirname(path) : path, { persistent: false }, (_event, name) => {
      if (single && name !== null && name !== basename(path)) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.load().catch((err) => this.options.onIssue(`${this.options.path}: GH_CERTS_CONFIG_UNREADABLE: ${String(err)}`));
      }, this.options.debounceMs ?? 200);
    });
  }

  close(): void {
    clearTimeout(this.timer);
    this.watcher?.close();
  }
}

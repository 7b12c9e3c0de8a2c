// Reads envoyproxy/ratelimit YAML from RATELIMIT_CONFIG_PATH (one file, or every *.yaml / *.yml in a
// directory, one domain per file) and hot-reloads on change. A reload is all-or-nothing: any bad
// file rejects the update and the previous config keeps serving.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RateLimitConfigSource } from '../core/config-sources.js';
import type { DomainConfig } from '../core/config-types.js';
import { loadDomainConfigs, type ConfigDocument } from '../core/rate-limit-config.js';

export interface FileConfigSourceOptions {
  /** A file or a directory. */
  readonly path: string;
  /** Reference MERGE_DOMAIN_CONFIG. Default false. */
  readonly mergeDomains?: boolean;
  /** Quiet period after the last change event before reloading. Default 100 ms. */
  readonly debounceMs?: number;
}

export class FileConfigSource implements RateLimitConfigSource {
  readonly name = 'files';
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastTexts = '';

  constructor(private readonly options: FileConfigSourceOptions) {}

  /** Loads once (rejecting on a bad initial config, so the service refuses to start), then watches. */
  async start(onConfig: (domains: readonly DomainConfig[]) => void, onError: (err: unknown) => void): Promise<void> {
    onConfig(await this.load());
    const isDirectory = (await stat(this.options.path)).isDirectory();
    const watchedDir = isDirectory ? this.options.path : dirname(this.options.path);
    const onlyFile = isDirectory ? undefined : basename(this.options.path);
    // Watch the directory, not the files: editors and Kubernetes ConfigMaps replace files by rename.
    this.watcher = watch(watchedDir, (_event, filename) => {
      if (onlyFile && filename && filename !== onlyFile && !filename.startsWith('..')) return;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.load(true).then((domains) => domains && onConfig(domains), onError);
      }, this.options.debounceMs ?? 100);
    });
    this.watcher.on('error', onError);
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.watcher?.close();
  }

  /** With `skipUnchanged`, resolves undefined when no file's text changed since the last load. */
  private async load(skipUnchanged: true): Promise<DomainConfig[] | undefined>;
  private async load(): Promise<DomainConfig[]>;
  private async load(skipUnchanged = false): Promise<DomainConfig[] | undefined> {
    const documents = await this.readDocuments();
    const fingerprint = JSON.stringify(documents);
    if (skipUnchanged && fingerprint === this.lastTexts) return undefined;
    const domains = loadDomainConfigs(documents, { mergeDomains: this.options.mergeDomains ?? false });
    this.lastTexts = fingerprint;
    return domains;
  }

  private readDocuments(): Promise<ConfigDocument[]> {
    return readConfigDocuments(this.options.path);
  }
}

/** The file itself, or every *.yaml / *.yml file directly inside the directory, sorted by name. */
export async function readConfigDocuments(path: string): Promise<ConfigDocument[]> {
  if (!(await stat(path)).isDirectory()) return [{ name: path, text: await readFile(path, 'utf8') }];
  const names = (await readdir(path)).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith('.')).sort();
  const documents: ConfigDocument[] = [];
  for (const name of names) {
    const file = join(path, name);
    if ((await stat(file)).isFile()) documents.push({ name: file, text: await readFile(file, 'utf8') });
  }
  return documents;
}

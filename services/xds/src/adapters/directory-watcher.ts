// Watches GATEWAY_CONFIG_PATH: after a (debounced) change anywhere under it, reads every YAML file
// and hands all of them to the provider, which keeps the last good version of a file that fails.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { Debouncer } from '../runner/debouncer.js';
import type { SourceFile } from '../core/index.js';

export interface DirectoryWatcherOptions {
  /** Directory to watch, recursively. */
  dir: string;
  /** Receives every YAML file's text after each (debounced) change, and once at start. */
  onFiles: (files: SourceFile[]) => void | Promise<void>;
  onError?: (err: unknown) => void;
  /** Quiet period after the last change. Default 100 ms. */
  debounceMs?: number;
  /** Bound on the delay during a stream of changes. Default 1000 ms. */
  maxDelayMs?: number;
}

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

/**
 * Every YAML file under `dir` (recursively), sorted by path. Hidden files and directories are
 * skipped and symlinks followed, which is what a Kubernetes ConfigMap mount needs: its files are
 * symlinks into a hidden "..data" directory that is swapped atomically on update.
 */
export async function readYamlFiles(dir: string): Promise<SourceFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const candidates = entries
    .map((e) => ({ entry: e, path: join(e.parentPath ?? (e as unknown as { path: string }).path, e.name) }))
    .filter(({ entry, path }) => YAML_EXTENSIONS.has(extname(entry.name)) && !relative(dir, path).split(sep).some((part) => part.startsWith('.')))
    .filter(({ entry }) => entry.isFile() || entry.isSymbolicLink());
  const paths: string[] = [];
  for (const { entry, path } of candidates) {
    if (entry.isFile() || (await stat(path).then((s) => s.isFile(), () => false))) paths.push(path);
  }
  paths.sort();
  const files: SourceFile[] = [];
  for (const path of paths) {
    try {
      files.push({ path, text: await readFile(path, 'utf8') });
    } catch (err) {
      // Deleted between readdir and readFile: the next event rescans.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return files;
}

export class DirectoryWatcher {
  private watcher?: FSWatcher;
  private readonly debouncer: Debouncer;
  private scanning: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: DirectoryWatcherOptions) {
    this.debouncer = new Debouncer(() => void this.rescan(), { delayMs: options.debounceMs ?? 100, maxDelayMs: options.maxDelayMs ?? 1000 });
  }

  /** Reads the directory once (errors propagate: a missing directory fails start-up), then watches. */
  async start(): Promise<void> {
    const files = await readYamlFiles(this.options.dir);
    await this.options.onFiles(files);
    this.watcher = watch(this.options.dir, { recursive: true }, () => this.debouncer.trigger());
    this.watcher.on('error', (err) => this.options.onError?.(err));
  }

  /** Scans now; scans never overlap. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(async () => {
      if (this.stopped) return;
      try {
        await this.options.onFiles(await readYamlFiles(this.options.dir));
      } catch (err) {
        this.options.onError?.(err);
      }
    });
    return this.scanning;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.debouncer.cancel();
    this.watcher?.close();
    await this.scanning;
  }
}

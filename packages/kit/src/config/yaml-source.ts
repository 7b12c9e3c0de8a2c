// The one config intake: reads a YAML file or a directory of them, and watches it for changes. Every
// service and the CLI read their files through here, so they agree on what a config directory holds.
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Debouncer } from './debouncer.js';

export interface YamlFile {
  readonly path: string;
  readonly text: string;
}

export interface ReadYamlOptions {
  /** Descend into subdirectories (hidden ones never). Default true. */
  readonly recursive?: boolean;
}

const YAML_EXTENSIONS = new Set(['.yaml', '.yml']);

// Hidden entries are skipped: a Kubernetes ConfigMap mount holds every file three times (`x.yaml`, a
// symlink into `..data/x.yaml`, itself a symlink to `..<timestamp>/x.yaml`); only the visible one counts.
const isHidden = (name: string): boolean => name.startsWith('.');
const isYaml = (name: string): boolean => YAML_EXTENSIONS.has(extname(name).toLowerCase());

/**
 * One file, or every *.yaml / *.yml under a directory, sorted by path. Symlinks are followed; a file
 * that vanishes between listing and reading is skipped (the watcher sees the change and reads again).
 * Rejects when `path` itself does not exist.
 */
export async function readYamlSource(path: string, options: ReadYamlOptions = {}): Promise<YamlFile[]> {
  if (!(await stat(path)).isDirectory()) return [{ path, text: await readFile(path, 'utf8') }];
  const { files } = await scan(path, options.recursive ?? true);
  const out: YamlFile[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (text !== undefined) out.push({ path: file, text });
  }
  return out;
}

/** The YAML files under `root` and the directories that hold them (the root first), both sorted. */
async function scan(root: string, recursive: boolean): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [root];
  const visit = async (dir: string, seen: Set<string>): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
      throw err;
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (isHidden(entry.name)) continue;
      const path = join(dir, entry.name);
      // Follow symlinks: stat() says what they point at. A dangling link is skipped.
      const kind = entry.isSymbolicLink() ? await stat(path).then((s) => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other'), () => 'other') : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
      if (kind === 'file' && isYaml(entry.name)) files.push(path);
      if (kind === 'dir' && recursive) {
        // A symlink loop (a -> ..) must not recurse forever: key directories by their real identity.
        const id = await stat(path).then((s) => `${s.dev}:${s.ino}`, () => path);
        if (seen.has(id)) continue;
        dirs.push(path);
        await visit(path, new Set([...seen, id]));
      }
    }
  };
  const rootId = await stat(root).then((s) => `${s.dev}:${s.ino}`);
  await visit(root, new Set([rootId]));
  files.sort();
  return { files, dirs };
}

export interface YamlSourceWatcherOptions extends ReadYamlOptions {
  /** Every file's text: once at start, then after each change that altered a path or a text. */
  readonly onFiles: (files: YamlFile[]) => void | Promise<void>;
  /** A failed re-read (the last delivery stays in force) or a watcher error. */
  readonly onError?: (err: unknown) => void;
  /** Quiet period after the last change. Default 100 ms. */
  readonly debounceMs?: number;
  /** Bound on the delay during a stream of changes. Default 1000 ms. */
  readonly maxDelayMs?: number;
}

/**
 * Watches a file or a directory tree. It watches each directory itself rather than using Node's
 * recursive fs.watch: on Linux that one watches files by inode and stops following a file replaced by
 * rename (editors, `sed -i`, `git checkout`) after a couple of saves. A directory watch sees every
 * rename, delete and create in it, and a ConfigMap's atomic `..data` swap is a rename in the root.
 * After each re-scan the set of watched directories is brought up to date.
 */
export class YamlSourceWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly debouncer: Debouncer;
  private scanning: Promise<void> = Promise.resolve();
  private lastDelivered: string | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly options: YamlSourceWatcherOptions,
  ) {
    this.debouncer = new Debouncer(() => void this.rescan(), { delayMs: options.debounceMs ?? 100, maxDelayMs: options.maxDelayMs ?? 1000 });
  }

  /** Reads once and delivers (errors propagate: a missing path fails start-up), then watches. */
  async start(): Promise<void> {
    const files = await readYamlSource(this.path, this.options);
    this.lastDelivered = fingerprint(files);
    await this.options.onFiles(files);
    await this.refreshWatches();
  }

  /** Re-reads now and delivers if anything changed. Re-reads never overlap. */
  rescan(): Promise<void> {
    this.scanning = this.scanning.then(async () => {
      if (this.closed) return;
      try {
        await this.refreshWatches();
        const files = await readYamlSource(this.path, this.options);
        const print = fingerprint(files);
        if (print === this.lastDelivered) return;
        this.lastDelivered = print;
        await this.options.onFiles(files);
      } catch (err) {
        this.options.onError?.(err);
      }
    });
    return this.scanning;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.debouncer.cancel();
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.scanning;
  }

  private async refreshWatches(): Promise<void> {
    const isDirectory = await stat(this.path).then((s) => s.isDirectory(), () => false);
    // A single file is watched through its directory: a watch on the file itself dies with its inode.
    const wanted = isDirectory ? (await scan(this.path, this.options.recursive ?? true)).dirs : [dirname(this.path)];
    const onlyName = isDirectory ? undefined : basename(this.path);
    for (const [dir, watcher] of this.watchers) {
      if (!wanted.includes(dir)) {
        watcher.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.watchers.has(dir) || this.closed) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // For a single file: its own name, or a hidden entry (a ConfigMap's `..data` swap).
          if (onlyName && name && name !== onlyName && !isHidden(name)) return;
          this.debouncer.trigger();
        });
        watcher.on('error', (err) => {
          // The directory went away (deleted or renamed): forget it; the next scan re-adds what exists.
          watcher.close();
          this.watchers.delete(dir);
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.options.onError?.(err);
          this.debouncer.trigger();
        });
        this.watchers.set(dir, watcher);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
}

function fingerprint(files: readonly YamlFile[]): string {
  return JSON.stringify(files.map((f) => [f.path, f.text]));
}

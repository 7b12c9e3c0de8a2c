// Config files from RATELIMIT_CONFIG_PATH: one YAML file, or every *.yaml / *.yml under a directory
// tree, read and watched through the kit's one intake (ConfigMap mounts, rename-over saves, atomic
// `..data` swaps). Delivers the raw documents; parsing and last-good live in core/.
import { YamlSourceWatcher, type ConfigSource } from '@gatehouse/kit';
import type { ConfigDocument } from '../core/rate-limit-config.js';

export interface FileConfigSourceOptions {
  /** A file or a directory. */
  readonly path: string;
  /** Quiet period after the last change event before reloading. Default 100 ms (the kit's). */
  readonly debounceMs?: number;
}

export class FileConfigSource implements ConfigSource<ConfigDocument> {
  readonly name = 'files';
  private watcher: YamlSourceWatcher | undefined;

  constructor(private readonly options: FileConfigSourceOptions) {}

  /** Reads once and delivers (a missing path rejects, so the service refuses to start), then watches. */
  async start(onConfig: (documents: readonly ConfigDocument[]) => void, onError: (err: unknown) => void): Promise<void> {
    this.watcher = new YamlSourceWatcher(this.options.path, {
      // Like the reference, which loads every file under RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/config
      // recursively (goruntime walks the tree): subdirectories are read too, hidden entries are not.
      recursive: true,
      ...(this.options.debounceMs !== undefined && { debounceMs: this.options.debounceMs }),
      onFiles: (files) => onConfig(files.map((f) => ({ path: f.path, text: f.text }))),
      onError,
    });
    await this.watcher.start();
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}

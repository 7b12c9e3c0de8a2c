// AUTHZ_CONFIG_PATH as a config source: one YAML file or a directory tree of them, read and watched
// through the kit's one intake (YamlSourceWatcher: ConfigMap mounts load each file once, an atomic
// `..data` swap or a file replaced by rename is seen every time). Delivers every file on each change.
import { YamlSourceWatcher, type ConfigSource } from '@gatehouse/kit';
import type { ConfigFile } from '../core/load-policies.js';

export class FilePolicySource implements ConfigSource<ConfigFile> {
  readonly name = 'files';
  #watcher: YamlSourceWatcher | undefined;

  constructor(readonly path: string) {}

  /** Reads once and delivers (a path that does not exist rejects), then follows every change. */
  async start(onConfig: (files: readonly ConfigFile[]) => void, onError: (err: unknown) => void): Promise<void> {
    this.#watcher = new YamlSourceWatcher(this.path, {
      onFiles: (files) => onConfig(files.map((f) => ({ file: f.path, text: f.text }))),
      onError,
    });
    await this.#watcher.start();
  }

  async close(): Promise<void> {
    await this.#watcher?.close();
  }
}

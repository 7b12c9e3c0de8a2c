// CERTS_CONFIG_PATH: a YAML file or a directory of them (*.yaml, *.yml; a ConfigMap mount works:
// hidden ..data entries are skipped, symlinks followed), read and watched with the kit's
// YamlSourceWatcher. Each delivery goes through the config intake, which keeps the last good version
// of every resource (workflow/config-intake.ts); problems are reported one line each.
import { YamlSourceWatcher, type ConfigHealthMetrics } from '@gatehouse/kit';
import { formatConfigIssue } from '@gatehouse/schemas';
import type { ResourceSet, SchemaValidator } from '../core/resource-model.js';
import { CertsError, CertsErrorCodes } from '../errors.js';
import { ConfigIntake } from '../workflow/config-intake.js';

export interface ConfigSourceOptions {
  readonly path: string;
  readonly validateSchema?: SchemaValidator;
  readonly onChange: (set: ResourceSet) => void | Promise<void>;
  /** One line per problem: "file:line: Kind ns/name: /path: CODE: message". */
  readonly onIssue: (message: string) => void;
  /** gatehouse_config_stale_resources / gatehouse_config_refused_total. */
  readonly health?: ConfigHealthMetrics;
  readonly debounceMs?: number;
}

export class ConfigSource {
  readonly intake: ConfigIntake;
  private readonly watcher: YamlSourceWatcher;

  constructor(private readonly options: ConfigSourceOptions) {
    this.intake = new ConfigIntake(options.validateSchema);
    this.watcher = new YamlSourceWatcher(options.path, {
      // The directory itself, like cert-manager's own flat manifests; a ConfigMap's files sit at its root.
      recursive: false,
      ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
      onFiles: async (files) => {
        const result = this.intake.apply(files);
        for (const issue of result.issues) options.onIssue(formatConfigIssue(issue));
        options.health?.observe(this.intake.lastGood);
        await options.onChange(result.set);
      },
      onError: (err) => options.onIssue(new CertsError(CertsErrorCodes.CONFIG_UNREADABLE, `${options.path}: ${err instanceof Error ? err.message : String(err)}`).message),
    });
  }

  /** Reads everything once and applies it (a missing path rejects), then follows every change. */
  start(): Promise<void> {
    return this.watcher.start();
  }

  /** Re-reads now (tests; the watcher does this by itself after a change). */
  rescan(): Promise<void> {
    return this.watcher.rescan();
  }

  close(): Promise<void> {
    return this.watcher.close();
  }
}

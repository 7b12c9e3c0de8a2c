// The xds runner: inputs (files and admin-API resources) → debounce → translate (keeping the last
// good version of each resource, see last-good-resources.ts) → publish the side effects first →
// apply per-Gateway snapshots. No I/O of its own: the service hands in the
// publisher and the snapshot check. A bad input never takes down what is serving: a file that fails
// to parse keeps its last good version, a Gateway whose snapshot is refused keeps its last good one.
import {
  applySnapshots,
  diffSnapshots,
  withSharedSecrets,
  type EnvoyResource,
  type EnvoyResources,
  type Snapshot,
  type SnapshotDiff,
  type SnapshotProblem,
  type SnapshotStore,
} from '../core/cache/index.js';
import {
  type FileError,
  type GatewayResource,
  type SideEffects,
  type SourceFile,
  type StatusMap,
  type StoredResource,
  type TranslateResult,
} from '../core/index.js';
import { Debouncer, type LastGood } from '@gatehouse/kit';
import { ConfigInputs } from './inputs.js';
import { LastGoodResources, type RefusedVersion } from './last-good-resources.js';
import { PublishFirst } from './publish-first.js';

export interface ConfigPipelineOptions {
  store: SnapshotStore;
  /** translateAll with the service's options bound. */
  translate: (resources: readonly GatewayResource[]) => TranslateResult;
  /** Secrets served to every Gateway (issued certificates). */
  sharedSecrets?: () => readonly EnvoyResource[];
  /** Extra check before a snapshot is set (the service encodes every resource); throws to refuse it. */
  check?: (snapshot: Snapshot) => void;
  /** Hands rate limit domains, authz policies and certificate wishes to the other services. */
  publish?: (effects: SideEffects) => Promise<unknown>;
  /** How long a snapshot waits for its side effects to be published first (see PublishFirst). Default 2000 ms. */
  publishFirstBudgetMs?: number;
  /** First delay before publishing again after a failure (doubling, at most 30 s). Default 1000 ms. */
  publishRetryMs?: number;
  /** Quiet period before translating. Default 50 ms. */
  debounceMs?: number;
  /** Bound on the delay during a stream of changes. Default 500 ms. */
  maxDelayMs?: number;
  onApplied?: (report: ApplyReport) => void;
  onError?: (err: unknown) => void;
  /** After each translation: the per-resource last-good state (the kit's configHealthMetrics observe it). */
  onLastGood?: (lastGood: LastGood<unknown>) => void;
  /**
   * Runs each translation inside a trace span (the service gives the kit's tracer), so the publication
   * that follows, and the other services applying it, join one trace. Default: no span.
   */
  inSpan?: RunInSpan;
  /**
   * Start paused: inputs are taken but nothing is translated until resume(), so a starting replica
   * does not first serve the files and then the admin-API resources that override them.
   */
  paused?: boolean;
}

/** Runs `fn` synchronously inside an active span; `fn` may annotate it. */
export type RunInSpan = (name: string, fn: (setAttributes: (attributes: Record<string, string | number | string[]>) => void) => void) => void;

export interface ApplyReport {
  changed: string[];
  removed: string[];
  problems: SnapshotProblem[];
  fileErrors: FileError[];
  /** Versions refused by this translation (each once): stale ones keep serving an older generation. */
  refused: RefusedVersion[];
  durationMs: number;
}

export interface PipelineState {
  fileErrors: FileError[];
  adminErrors: FileError[];
  snapshotProblems: SnapshotProblem[];
  translationError?: string;
  statuses: StatusMap;
  appliedAt?: number;
}

const NO_SPAN: RunInSpan = (_name, fn) => fn(() => undefined);

export class ConfigPipeline {
  private readonly inputs = new ConfigInputs();
  private readonly lastGood = new LastGoodResources();
  private readonly current: PipelineState = { fileErrors: [], adminErrors: [], snapshotProblems: [], statuses: new Map() };
  private readonly debouncer: Debouncer;
  private readonly publishFirst?: PublishFirst;
  private paused: boolean;

  constructor(private readonly options: ConfigPipelineOptions) {
    this.paused = options.paused ?? false;
    this.debouncer = new Debouncer(() => this.run(), { delayMs: options.debounceMs ?? 50, maxDelayMs: options.maxDelayMs ?? 500 });
    if (options.publish) {
      this.publishFirst = new PublishFirst({
        publish: options.publish,
        ...(options.publishFirstBudgetMs !== undefined ? { budgetMs: options.publishFirstBudgetMs } : {}),
        ...(options.publishRetryMs !== undefined ? { retryMs: options.publishRetryMs } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      });
    }
  }

  /** Starts translating (see `paused`); runs at once. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.debouncer.trigger();
    this.debouncer.flush();
  }

  setFiles(files: readonly SourceFile[]): void {
    this.inputs.setFiles(files);
    this.current.fileErrors = this.inputs.fileErrors;
    this.debouncer.trigger();
  }

  setAdminResources(stored: readonly StoredResource[]): void {
    this.inputs.setAdminResources(stored);
    this.current.adminErrors = this.inputs.adminErrors;
    this.debouncer.trigger();
  }

  /** Issued certificates changed. */
  secretsChanged(): void {
    this.debouncer.trigger();
  }

  /** Translates now if a change is pending; resolves when its side effects are published and it applied. */
  async flush(): Promise<void> {
    this.debouncer.flush();
    await this.publishFirst?.settled();
  }

  state(): Readonly<PipelineState> {
    return this.current;
  }

  /** The resources serving now, each at its last accepted version (the console draws its topology from them). */
  servingResources(): GatewayResource[] {
    return (this.lastGood.tracker.current?.serving ?? []).map((entry) => entry.value);
  }

  /** What applying `documents` through the admin API would change, without applying it (last good included). */
  dryRun(documents: readonly GatewayResource[]): SnapshotDiff {
    const result = this.lastGood.preview(this.inputs.resources(documents), this.options.translate);
    const shared = this.options.sharedSecrets?.() ?? [];
    const after = new Map<string, EnvoyResources>([...result.snapshots].map(([k, v]) => [k, withSharedSecrets(v, shared)]));
    const before = new Map(this.options.store.nodeClusters().map((k) => [k, this.options.store.get(k)!]));
    return diffSnapshots(before, after);
  }

  private run(): void {
    if (this.paused) return;
    const inSpan = this.options.inSpan ?? NO_SPAN;
    inSpan('xds.translate', (setAttributes) => {
      const started = Date.now();
      const translated = this.translate();
      if (!translated) return;
      const { result, refused } = translated;
      setAttributes({
        'gatehouse.sources.changed': this.inputs.takeChanged(),
        'gatehouse.resources': result.statuses.size,
        'gatehouse.policies': result.authzPolicies.map((p) => `${p.namespace}/${p.name}`),
        'gatehouse.ratelimit.domains': result.rateLimitDomains.map((d) => d.domain),
      });
      // Runs after the publication (or its budget), still in this translation's trace.
      const apply = (): void => inSpan('xds.apply', (setApplied) => this.apply(result, refused, started, setApplied));
      if (this.publishFirst) this.publishFirst.run(result, apply);
      else apply();
    });
  }

  private translate(): { result: TranslateResult; refused: RefusedVersion[] } | undefined {
    try {
      const translated = this.lastGood.translate(this.inputs.resources(), this.options.translate);
      this.current.translationError = undefined;
      this.options.onLastGood?.(this.lastGood.tracker);
      return { result: translated.result, refused: translated.newlyRefused };
    } catch (err) {
      // A translator bug must not take down what is serving.
      this.current.translationError = err instanceof Error ? err.message : String(err);
      this.options.onError?.(err);
      return undefined;
    }
  }

  private apply(result: TranslateResult, refused: RefusedVersion[], started: number, setAttributes: (attributes: Record<string, string | number | string[]>) => void): void {
    const outcome = applySnapshots(this.options.store, result.snapshots, {
      sharedSecrets: this.options.sharedSecrets?.() ?? [],
      ...(this.options.check ? { check: this.options.check } : {}),
    });
    setAttributes({ 'gatehouse.snapshots.changed': outcome.changed, 'gatehouse.snapshots.refused': outcome.problems.length });
    this.current.statuses = result.statuses;
    this.current.snapshotProblems = outcome.problems;
    this.current.appliedAt = Date.now();
    this.options.onApplied?.({
      changed: outcome.changed,
      removed: outcome.removed,
      problems: outcome.problems,
      fileErrors: [...this.current.fileErrors, ...this.current.adminErrors],
      refused,
      durationMs: Date.now() - started,
    });
  }
}

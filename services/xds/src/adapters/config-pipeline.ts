// The xds service's pipeline, wired: watched files and admin-API resources (admin wins) go through
// translation into per-Gateway snapshots; side effects go to the other services. Runs debounced,
// and a bad input never takes down what is serving: a file that fails to parse keeps its last good
// version, a Gateway whose snapshot is refused keeps its last good snapshot.
import { stringify } from 'yaml';
import {
  applySnapshots,
  Debouncer,
  diffSnapshots,
  withSharedSecrets,
  type ResourceLists,
  type SnapshotDiff,
  type SnapshotProblem,
  type SnapshotStore,
} from '../core/cache/index.js';
import {
  loadResourcesFromFiles,
  mergeResourceSources,
  resourceKey,
  type AuthzPolicy,
  type FileError,
  type GatewayResource,
  type ParsedFiles,
  type SourceFile,
  type StatusMap,
  type TranslateResult,
} from '../core/index.js';
import type { StoredResource } from './admin-resource-store.js';
import { encodeSnapshot } from './resource-encoder.js';
import type { SideEffects } from './side-effects-publisher.js';

export interface ConfigPipelineOptions {
  store: SnapshotStore;
  /** translateAll with the service's options bound. */
  translate: (resources: readonly GatewayResource[]) => TranslateResult;
  /** Secrets served to every Gateway (issued certificates). */
  sharedSecrets?: () => readonly object[];
  /** Hands rate limit domains, authz policies and certificate wishes to the other services. */
  publish?: (effects: SideEffects) => Promise<unknown>;
  /** How long a snapshot waits for its side effects to be published first (see run). Default 2000 ms. */
  publishFirstBudgetMs?: number;
  /** Quiet period before translating. Default 50 ms. */
  debounceMs?: number;
  /** Bound on the delay during a stream of changes. Default 500 ms. */
  maxDelayMs?: number;
  onApplied?: (report: ApplyReport) => void;
  onError?: (err: unknown) => void;
  /**
   * Runs each translation inside a trace span (main gives the kit's tracer), so the publication that
   * follows, and the other services applying it, join one trace. Default: no span.
   */
  inSpan?: RunInSpan;
  /**
   * First delay before publishing the latest side effects again after a failure (doubling, at most 30 s).
   * Default 1000 ms.
   */
  publishRetryMs?: number;
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

export interface ParsedDocuments {
  resources: GatewayResource[];
  /** Parse and schema problems; a request with any is refused. */
  errors: Array<{ code: string; file: string; line: number; message: string }>;
}

export class ConfigPipeline {
  private parsedFiles?: ParsedFiles;
  private fileResources: GatewayResource[] = [];
  private adminResources: GatewayResource[] = [];
  private readonly current: PipelineState = { fileErrors: [], adminErrors: [], snapshotProblems: [], statuses: new Map() };
  private readonly debouncer: Debouncer;
  private publishing: Promise<unknown> = Promise.resolve();
  /** What the last translation gave authz: its policies stay published one more round (see run). */
  private lastAuthz: { policies: readonly AuthzPolicy[]; secrets: ReadonlyMap<string, { data: Record<string, Buffer> }> } = { policies: [], secrets: new Map() };
  /** The side effects of the latest translation: the only ones worth publishing again after a failure. */
  private latestEffects?: SideEffects;
  private publishRetryDelayMs = 0;
  private paused: boolean;
  /** Text of each file last taken, to name what changed on the next translation's span. */
  private fileTexts = new Map<string, string>();
  /** Files and admin-API sources changed since the last translation. */
  private readonly changedSources = new Set<string>();

  constructor(private readonly options: ConfigPipelineOptions) {
    this.paused = options.paused ?? false;
    this.debouncer = new Debouncer(() => this.run(), { delayMs: options.debounceMs ?? 50, maxDelayMs: options.maxDelayMs ?? 500 });
  }

  /** Starts translating (see `paused`); runs at once. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.debouncer.trigger();
    this.debouncer.flush();
  }

  setFiles(files: readonly SourceFile[]): void {
    const texts = new Map(files.map((f) => [f.path, f.text]));
    for (const [path, text] of texts) if (this.fileTexts.get(path) !== text) this.changedSources.add(path);
    for (const path of this.fileTexts.keys()) if (!texts.has(path)) this.changedSources.add(path);
    this.fileTexts = texts;
    const loaded = loadResourcesFromFiles(files, this.parsedFiles ? { previous: this.parsedFiles } : {});
    this.parsedFiles = loaded.parsed;
    this.fileResources = loaded.resources;
    this.current.fileErrors = loaded.fileErrors;
    this.debouncer.trigger();
  }

  setAdminResources(stored: readonly StoredResource[]): void {
    this.changedSources.add('admin-api');
    const loaded = loadResourcesFromFiles(stored.map((s) => ({ path: `admin:${s.key}`, text: s.yaml })));
    this.adminResources = loaded.resources;
    this.current.adminErrors = loaded.fileErrors;
    this.debouncer.trigger();
  }

  /** Issued certificates changed. */
  secretsChanged(): void {
    this.debouncer.trigger();
  }

  /** Translates now if a change is pending; resolves when its side effects are published. */
  async flush(): Promise<void> {
    this.debouncer.flush();
    await this.publishing;
  }

  state(): Readonly<PipelineState> {
    return this.current;
  }

  /**
   * Parses YAML documents sent to the admin API, with the same checks as files. Every document
   * must be valid for the request to be accepted.
   */
  parseDocuments(text: string, origin = 'request'): ParsedDocuments {
    const loaded = loadResourcesFromFiles([{ path: origin, text }]);
    const errors: ParsedDocuments['errors'] = loaded.fileErrors.map(({ code, file, line, message }) => ({ code, file, line, message }));
    for (const resource of loaded.resources) {
      for (const issue of resource.issues ?? []) {
        errors.push({
          code: 'GH_XDS_DOCUMENT_INVALID',
          file: origin,
          line: resource.source?.kind === 'file' ? resource.source.line : 1,
          message: issue.formatted ?? `${resourceKey(resource)}: ${issue.path}: ${issue.message}`,
        });
      }
    }
    return { resources: loaded.resources, errors };
  }

  /** What applying `documents` through the admin API would change, without applying it. */
  dryRun(documents: readonly GatewayResource[]): SnapshotDiff {
    const result = this.options.translate(mergeResourceSources(this.fileResources, [...this.adminResources, ...documents]));
    const shared = this.options.sharedSecrets?.() ?? [];
    const after = new Map<string, ResourceLists>([...result.snapshots].map(([k, v]) => [k, withSharedSecrets(v, shared)]));
    const before = new Map(this.options.store.nodeClusters().map((k) => [k, this.options.store.get(k)!]));
    return diffSnapshots(before, after);
  }

  private run(): void {
    if (this.paused) return;
    const inSpan: RunInSpan = this.options.inSpan ?? ((_name, fn) => fn(() => undefined));
    inSpan('xds.translate', (setAttributes) => this.translateAndPublish(inSpan, setAttributes));
  }

  private translateAndPublish(inSpan: RunInSpan, setAttributes: (attributes: Record<string, string | number | string[]>) => void): void {
    const started = Date.now();
    let result: TranslateResult;
    try {
      result = this.options.translate(mergeResourceSources(this.fileResources, this.adminResources));
      this.current.translationError = undefined;
    } catch (err) {
      // A translator bug must not take down what is serving.
      this.current.translationError = err instanceof Error ? err.message : String(err);
      this.options.onError?.(err);
      return;
    }
    setAttributes({
      'gatehouse.sources.changed': [...this.changedSources].sort(),
      'gatehouse.resources': result.statuses.size,
      'gatehouse.policies': result.authzPolicies.map((p) => `${p.namespace}/${p.name}`),
      'gatehouse.ratelimit.domains': result.rateLimitDomains.map((d) => d.domain),
    });
    this.changedSources.clear();
    // Runs after the publication (or its budget), still in this translation's trace.
    const apply = (): void => inSpan('xds.apply', (setApplied) => {
      const outcome = applySnapshots(this.options.store, result.snapshots, {
        sharedSecrets: this.options.sharedSecrets?.() ?? [],
        check: encodeSnapshot,
      });
      setApplied({ 'gatehouse.snapshots.changed': outcome.changed, 'gatehouse.snapshots.refused': outcome.problems.length });
      this.current.statuses = result.statuses;
      this.current.snapshotProblems = outcome.problems;
      this.current.appliedAt = Date.now();
      this.options.onApplied?.({
        changed: outcome.changed,
        removed: outcome.removed,
        problems: outcome.problems,
        fileErrors: [...this.current.fileErrors, ...this.current.adminErrors],
        durationMs: Date.now() - started,
      });
    });
    const publish = this.options.publish;
    if (!publish) return apply();
    // Make-before-break across services: a snapshot may send Envoy to authz with a policy (or to
    // ratelimit with descriptors) that did not exist before. Applied first, Envoy could ask before
    // authz knows the policy and get 403 GH_AUTHZ_UNKNOWN_POLICY. So publish first, keeping the
    // policies this translation drops (Envoy may still route through them until it takes the new
    // snapshot; they go with the next publication), then apply. A publish that fails or hangs
    // (Redis down) holds the snapshot back at most publishFirstBudgetMs.
    const retired = this.lastAuthz.policies.filter((p) => !result.authzPolicies.some((n) => n.namespace === p.namespace && n.name === p.name));
    const effects: SideEffects = {
      rateLimitDomains: result.rateLimitDomains,
      authzPolicies: [...result.authzPolicies, ...retired],
      authzSecrets: new Map([...this.lastAuthz.secrets, ...result.authzSecrets]),
      certificatesWanted: result.certificatesWanted,
    };
    this.lastAuthz = { policies: result.authzPolicies, secrets: result.authzSecrets };
    this.latestEffects = effects;
    const published = this.publishing.then(() => this.publishOnce(publish, effects));
    const budget = new Promise<void>((resolve) => setTimeout(resolve, this.options.publishFirstBudgetMs ?? 2000).unref());
    this.publishing = Promise.race([published, budget])
      .then(apply)
      .catch((err: unknown) => this.options.onError?.(err));
  }

  private publishOnce(publish: (effects: SideEffects) => Promise<unknown>, effects: SideEffects): Promise<void> {
    return publish(effects).then(
      () => void (this.publishRetryDelayMs = 0),
      (err: unknown) => {
        this.options.onError?.(err);
        // Redis down for longer than its client's own retries: no later event would publish this change
        // (ratelimit, authz and certs would keep the old config until the next edit), so try again.
        if (effects !== this.latestEffects) return;
        this.publishRetryDelayMs = Math.min(Math.max(this.publishRetryDelayMs * 2, this.options.publishRetryMs ?? 1_000), 30_000);
        const retry = (): void => {
          if (effects === this.latestEffects) this.publishing = this.publishing.then(() => this.publishOnce(publish, effects));
        };
        setTimeout(retry, this.publishRetryDelayMs).unref();
      },
    );
  }
}

/** The YAML an admin-API resource is stored as: the document without Gatehouse's annotations. */
export function toStoredResource(resource: GatewayResource): StoredResource {
  const { source: _source, issues: _issues, ...document } = resource;
  return { key: resourceKey(resource), yaml: stringify(document) };
}

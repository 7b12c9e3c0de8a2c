// "A bad edit never loosens the gateway": per resource, the newest valid version serves; when a
// resource that was valid turns invalid, its last accepted version keeps serving (and says so) until
// the input is valid again. Pure: every service feeds it the candidates its own compile step produced.
import type { ConfigIssue } from '@gatehouse/schemas';

export interface LastGoodCandidate<T> {
  /** Stable identity, e.g. "SecurityPolicy default/api-jwt" or a rate limit domain. */
  readonly key: string;
  /** The file it came from. */
  readonly file?: string;
  /** The accepted value; undefined when this version is invalid. */
  readonly value?: T;
  /** Why it is invalid (may also carry warnings when `value` is set). */
  readonly issues: readonly ConfigIssue[];
  /**
   * Identifies this version; a change counts as a new generation. Default: JSON of `value`, else of
   * `issues`. Pass JSON of the raw document so that every edit, valid or not, is a new generation.
   */
  readonly fingerprint?: string;
}

export interface LastGoodEntry<T> {
  readonly key: string;
  readonly value: T;
  readonly file?: string;
  /** Versions of this key seen since start (1 = the first). */
  readonly generation: number;
  /** The generation served: below `generation` when the newest version was refused. */
  readonly servingGeneration: number;
  /** Why the newest version was refused; empty when it is the one serving. */
  readonly issues: readonly ConfigIssue[];
}

export interface RefusedResource {
  readonly key: string;
  readonly file?: string;
  readonly generation: number;
  readonly issues: readonly ConfigIssue[];
}

export interface LastGoodResult<T> {
  /** Everything to serve: each key's newest valid version, or its last good one. */
  readonly serving: readonly LastGoodEntry<T>[];
  /** The subset of `serving` that is older than its newest version. */
  readonly stale: readonly LastGoodEntry<T>[];
  /** Keys that were never valid: not served. */
  readonly refused: readonly RefusedResource[];
}

interface KeyState<T> {
  fingerprint: string;
  generation: number;
  file?: string;
  good?: { value: T; generation: number; file?: string };
  /** The last generation counted as refused, so each refused version is counted once. */
  refusedGeneration?: number;
}

export class LastGood<T> {
  private readonly keys = new Map<string, KeyState<T>>();
  private latest: LastGoodResult<T> | undefined;
  /** Newly refused versions since the last call of takeNewlyRefused(), for a counter. */
  private newlyRefused: RefusedResource[] = [];

  /**
   * One complete delivery. A key missing from `candidates` is deleted, unless it was last seen in a
   * file named by an `unreadable` issue (a file that no longer parses, or holds a document that cannot be
   * identified): such keys keep serving, marked stale with that file's issues.
   */
  update(candidates: readonly LastGoodCandidate<T>[], unreadable: readonly ConfigIssue[] = []): LastGoodResult<T> {
    const serving: LastGoodEntry<T>[] = [];
    const refused: RefusedResource[] = [];
    const present = new Set<string>();
    for (const candidate of candidates) {
      if (present.has(candidate.key)) continue; // the compile step reports duplicates; the first wins
      present.add(candidate.key);
      const print = candidate.fingerprint ?? JSON.stringify(candidate.value !== undefined ? candidate.value : candidate.issues);
      const state = this.keys.get(candidate.key) ?? { fingerprint: print, generation: 1 };
      if (this.keys.has(candidate.key) && state.fingerprint !== print) {
        state.generation += 1;
        state.fingerprint = print;
      }
      state.file = candidate.file;
      this.keys.set(candidate.key, state);
      if (candidate.value !== undefined) {
        state.good = { value: candidate.value, generation: state.generation, ...(candidate.file !== undefined && { file: candidate.file }) };
        serving.push(entry(candidate.key, state.good, state.generation, []));
        continue;
      }
      const fresh = state.refusedGeneration !== state.generation;
      state.refusedGeneration = state.generation;
      const rejected = { key: candidate.key, ...(candidate.file !== undefined && { file: candidate.file }), generation: state.generation, issues: candidate.issues };
      if (fresh) this.newlyRefused.push(rejected);
      if (state.good) serving.push(entry(candidate.key, state.good, state.generation, candidate.issues));
      else refused.push(rejected);
    }
    const unreadableFiles = new Map<string, ConfigIssue[]>();
    for (const issue of unreadable) if (issue.file !== undefined) unreadableFiles.set(issue.file, [...(unreadableFiles.get(issue.file) ?? []), issue]);
    for (const [key, state] of this.keys) {
      if (present.has(key)) continue;
      const fileIssues = state.file !== undefined ? unreadableFiles.get(state.file) : undefined;
      if (!fileIssues) {
        this.keys.delete(key);
        continue;
      }
      // Its file could not be read this time: we cannot tell an edit from a delete, so keep what served.
      if (state.good) serving.push(entry(key, state.good, state.good.generation === state.generation ? state.generation + 1 : state.generation, fileIssues));
    }
    serving.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.latest = { serving, stale: serving.filter((e) => e.servingGeneration < e.generation), refused };
    return this.latest;
  }

  /** The result of the last update(), if any. */
  get current(): LastGoodResult<T> | undefined {
    return this.latest;
  }

  /** Versions refused since the previous call (each generation once), for counting. */
  takeNewlyRefused(): RefusedResource[] {
    const out = this.newlyRefused;
    this.newlyRefused = [];
    return out;
  }
}

function entry<T>(key: string, good: { value: T; generation: number; file?: string }, generation: number, issues: readonly ConfigIssue[]): LastGoodEntry<T> {
  return { key, value: good.value, ...(good.file !== undefined && { file: good.file }), generation, servingGeneration: good.generation, issues };
}

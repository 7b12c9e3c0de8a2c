// Which policies the service enforces, from its two sources: AUTHZ_CONFIG_PATH files and the xds
// publication over Redis. Each source keeps the last good version per policy (the kit's LastGood): a
// policy that was valid and turns invalid keeps serving its last accepted version; one that was never
// valid is not served (requests naming it are denied); the others update. The enforced set is the
// union, files first (the kit's MergedSources): a file overrides a published policy of the same name.
import { LastGood, MergedSources, type LastGoodResult } from '@gatehouse/kit';
import type { LoadResult } from './load-policies.js';
import type { CompiledPolicy } from './policy/policy-model.js';
import { createPolicySet, type PolicySet } from './policy/policy-set.js';

export type PolicySourceName = 'files' | 'redis';

const POLICY_SOURCES: readonly PolicySourceName[] = ['files', 'redis'];

export interface PolicySourceUpdate {
  /** Serving, stale and refused policies of the source that delivered. */
  readonly result: LastGoodResult<CompiledPolicy>;
  /** The merged set to enforce now. */
  readonly policySet: PolicySet;
}

export class PolicySources {
  readonly #lastGood = new Map<PolicySourceName, LastGood<CompiledPolicy>>(POLICY_SOURCES.map((s) => [s, new LastGood<CompiledPolicy>()]));
  readonly #merged = new MergedSources<CompiledPolicy>(POLICY_SOURCES, (policy) => policy.key);
  readonly #versions = new Map<PolicySourceName, string>();

  /** One complete delivery of a source (every file, or the whole publication). */
  update(source: PolicySourceName, load: LoadResult, version: string): PolicySourceUpdate {
    const result = this.lastGood(source).update(load.candidates, load.unreadable);
    this.#versions.set(source, version);
    const merged = this.#merged.update(source, result.serving.map((entry) => entry.value));
    const versions = POLICY_SOURCES.map((s) => this.#versions.get(s) ?? '-').join('+');
    return { result, policySet: createPolicySet(versions, merged) };
  }

  lastGood(source: PolicySourceName): LastGood<CompiledPolicy> {
    return this.#lastGood.get(source)!;
  }
}

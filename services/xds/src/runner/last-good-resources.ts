// Last good, per resource, for every kind. A resource (key Kind/namespace/name) whose new version is
// invalid keeps serving its last accepted version: invalid means it fails its schema, or the Gateway
// API stage does not accept it anywhere (Accepted=False) while an older accepted version exists; that
// older version is put back and the set translated again (a bounded number of rounds). The refusal is
// reported on the resource's status (Accepted False, file, line, path, and which generation serves)
// and counted. A resource that was never valid is translated as it is, so it serves nothing (an
// invalid SecurityPolicy keeps its routes failing closed); a deleted resource is deleted. A file that
// no longer parses keeps all its resources (the provider hands its last good parse in).
import { LastGood, type LastGoodCandidate, type LastGoodEntry, type LastGoodResult } from '@gatehouse/kit';
import { formatConfigIssue, type ConfigIssue } from '@gatehouse/schemas';
import { resourceKey, type Condition, type GatewayResource, type ResourceStatus, type TranslateResult } from '../core/index.js';
import { XdsErrorCodes } from '../errors.js';

/** Re-translations after putting back older versions the Gateway API stage refused. */
const MAX_SUBSTITUTION_ROUNDS = 2;

/** A newly refused version, for the log (each key and generation once). */
export interface RefusedVersion {
  key: string;
  generation: number;
  /** The generation still serving, or undefined when the resource was never valid (not served). */
  servingGeneration?: number;
  issues: readonly ConfigIssue[];
}

export interface LastGoodTranslation {
  result: TranslateResult;
  lastGood: LastGoodResult<GatewayResource>;
  newlyRefused: RefusedVersion[];
}

export class LastGoodResources {
  readonly tracker = new LastGood<GatewayResource>();
  private readonly logged = new Set<string>();

  /** Translates `resources`, with each invalid new version replaced by its last accepted one. */
  translate(resources: readonly GatewayResource[], translate: (resources: readonly GatewayResource[]) => TranslateResult): LastGoodTranslation {
    const { result, keyed, putBack, previous } = this.substitute(resources, translate);
    const candidates = keyed.map(({ key, resource, print }): LastGoodCandidate<GatewayResource> => {
      const file = resource.source?.kind === 'file' ? resource.source.file : 'admin-api';
      const issues = putBack.get(key) ?? (resource.issues?.length ? schemaIssues(resource) : neverAccepted(resource, result.statuses.get(key), previous.has(key)));
      return { key, file, fingerprint: print, issues, ...(issues.length === 0 ? { value: resource } : {}) };
    });
    const lastGood = this.tracker.update(candidates);
    for (const entry of lastGood.stale) markStale(result.statuses.get(entry.key), entry);
    return { result, lastGood, newlyRefused: this.newlyRefused(lastGood) };
  }

  /** What translate() would serve, without recording anything (the admin API's dry run). */
  preview(resources: readonly GatewayResource[], translate: (resources: readonly GatewayResource[]) => TranslateResult): TranslateResult {
    return this.substitute(resources, translate).result;
  }

  private substitute(resources: readonly GatewayResource[], translate: (resources: readonly GatewayResource[]) => TranslateResult) {
    const previous = new Map((this.tracker.current?.serving ?? []).map((e) => [e.key, e.value]));
    const keyed = resources.map((resource) => ({ key: resourceKey(resource), resource, print: fingerprint(resource) }));
    const isNewVersion = (key: string, print: string): boolean => previous.has(key) && fingerprint(previous.get(key)!) !== print;
    // Schema-invalid versions with an accepted predecessor are put back at once.
    const putBack = new Map<string, ConfigIssue[]>();
    for (const { key, resource } of keyed) if (resource.issues?.length && previous.has(key)) putBack.set(key, schemaIssues(resource));

    let result = translate(keyed.map(({ key, resource }) => (putBack.has(key) ? previous.get(key)! : resource)));
    for (let round = 0; round < MAX_SUBSTITUTION_ROUNDS; round++) {
      const refused = keyed.filter(({ key, print }) => !putBack.has(key) && refusal(result.statuses.get(key)) !== undefined && isNewVersion(key, print));
      if (refused.length === 0) break;
      for (const { key, resource } of refused) putBack.set(key, [refusalIssue(resource, refusal(result.statuses.get(key))!)]);
      result = translate(keyed.map(({ key, resource }) => (putBack.has(key) ? previous.get(key)! : resource)));
    }
    return { result, keyed, putBack, previous };
  }

  private newlyRefused(lastGood: LastGoodResult<GatewayResource>): RefusedVersion[] {
    const out: RefusedVersion[] = [];
    const versions = [
      ...lastGood.stale.map((e) => ({ key: e.key, generation: e.generation, servingGeneration: e.servingGeneration, issues: e.issues })),
      ...lastGood.refused.map((r) => ({ key: r.key, generation: r.generation, issues: r.issues })),
    ];
    for (const version of versions) {
      const id = `${version.key}#${version.generation}`;
      if (this.logged.has(id)) continue;
      this.logged.add(id);
      out.push(version);
    }
    // Forget what no longer needs remembering, so the set stays as small as the problems.
    const current = new Set(versions.map((v) => `${v.key}#${v.generation}`));
    for (const id of this.logged) if (!current.has(id)) this.logged.delete(id);
    return out;
  }
}

/** Identifies a version: the document as written (an invalid edit is a new generation too). */
function fingerprint(resource: GatewayResource): string {
  const { source: _source, issues: _issues, ...document } = resource;
  return JSON.stringify(document);
}

function where(resource: GatewayResource): Pick<ConfigIssue, 'file' | 'line' | 'kind' | 'namespace' | 'name'> {
  const source = resource.source?.kind === 'file' ? { file: resource.source.file, line: resource.source.line } : {};
  return { ...source, kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name };
}

function schemaIssues(resource: GatewayResource): ConfigIssue[] {
  return (resource.issues ?? []).map((issue) => ({
    ...where(resource),
    ...(issue.line !== undefined ? { line: issue.line } : {}),
    code: XdsErrorCodes.schema,
    path: issue.path,
    message: issue.message,
  }));
}

function refusalIssue(resource: GatewayResource, condition: Condition): ConfigIssue {
  return { ...where(resource), code: XdsErrorCodes.resourceRefused, message: `${condition.reason}: ${condition.message}` };
}

/** A resource not accepted anywhere, and never accepted before, is refused (and so not recorded as good). */
function neverAccepted(resource: GatewayResource, status: ResourceStatus | undefined, acceptedBefore: boolean): ConfigIssue[] {
  if (acceptedBefore) return [];
  const condition = refusal(status);
  return condition ? [refusalIssue(resource, condition)] : [];
}

/** Every condition list of a status (the resource's own, its listeners', parents' or ancestors'). */
function conditionLists(status: ResourceStatus): Condition[][] {
  if ('parents' in status) return status.parents.map((p) => p.conditions);
  if ('ancestors' in status) return status.ancestors.map((a) => a.conditions);
  return [status.conditions];
}

/** The Accepted=False condition of a resource accepted nowhere; undefined when accepted somewhere (or not judged). */
function refusal(status: ResourceStatus | undefined): Condition | undefined {
  if (!status) return undefined;
  const accepted = conditionLists(status)
    .flat()
    .filter((c) => c.type === 'Accepted');
  if (accepted.length === 0 || accepted.some((c) => c.status === 'True')) return patchNotProgrammed(status);
  return accepted[0];
}

/** An EnvoyPatchPolicy with a patch that did not apply (Programmed=False) is refused too: its last good version keeps patching. */
function patchNotProgrammed(status: ResourceStatus): Condition | undefined {
  if (status.kind !== 'EnvoyPatchPolicy') return undefined;
  return conditionLists(status)
    .flat()
    .find((c) => c.type === 'Programmed' && c.status === 'False');
}

/** The status says the newest version was refused and which generation keeps serving. */
function markStale(status: ResourceStatus | undefined, entry: LastGoodEntry<GatewayResource>): void {
  if (!status) return;
  const message = `${entry.issues.map(formatConfigIssue).join('; ')}; generation ${entry.generation} is refused, generation ${entry.servingGeneration} (the last accepted version) keeps serving`;
  for (const conditions of conditionLists(status)) {
    const stale: Condition = { type: 'Accepted', status: 'False', reason: 'Invalid', message };
    const at = conditions.findIndex((c) => c.type === 'Accepted');
    if (at >= 0) conditions[at] = { ...stale, ...(conditions[at]!.observedGeneration !== undefined ? { observedGeneration: conditions[at]!.observedGeneration } : {}) };
    else conditions.unshift(stale);
  }
}

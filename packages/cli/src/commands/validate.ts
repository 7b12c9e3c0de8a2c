// gatehouse validate -f <dir|file>: every problem with file, line and path; exit 1 if any.
import { Snapshot, typeLabel, PUSH_ORDER } from '@gatehouse/xds/cache';
import { loadResourcesFromFiles, resourceKey, translateAll } from '@gatehouse/xds/core';
import { conditionProblems, locateDocuments } from '../condition-problems.js';
import { failedConditions } from '../failed-conditions.js';
import { encodeResource } from '@gatehouse/xds/envoy-json';
import type { CliIo } from '../cli-io.js';
import { readYamlFiles } from '../read-yaml-files.js';
import { translateOptionsFromEnv } from '../translate-options.js';

export async function validateCommand(target: string, io: CliIo): Promise<number> {
  const files = await readYamlFiles(target);
  const loaded = loadResourcesFromFiles(files);
  const problems: string[] = [];
  for (const e of loaded.fileErrors) problems.push(`${e.file}:${e.line}: ${e.code}: ${e.message}`);
  const location = new Map<string, string>();
  const withIssues = new Set<string>();
  for (const resource of loaded.resources) {
    const where = resource.source?.kind === 'file' ? `${resource.source.file}:${resource.source.line}` : 'admin';
    location.set(resourceKey(resource), where);
    if (resource.issues?.length) withIssues.add(resourceKey(resource));
    for (const issue of resource.issues ?? []) problems.push(issue.formatted ?? `${where}: ${resourceKey(resource)}: ${issue.path}: ${issue.message}`);
  }
  // Translation reports what the schema cannot see (unresolved references, conflicts) as conditions.
  const result = translateAll(loaded.resources, translateOptionsFromEnv(io));
  // Every condition that is not as it should be (PartiallyInvalid included), on the line of the field it names.
  const locator = locateDocuments(files);
  for (const [key, status] of result.statuses) {
    // Its schema problems are listed above; Accepted=False would only repeat them.
    if (withIssues.has(key)) continue;
    for (const condition of failedConditions(status)) problems.push(...conditionProblems(key, condition, locator, location.get(key) ?? '?'));
  }
  // What the server would refuse: inconsistent snapshots and resources Envoy's protos cannot hold.
  for (const [nodeCluster, resources] of result.snapshots) problems.push(...snapshotProblems(nodeCluster, resources));
  for (const line of problems) io.stderr(`${line}\n`);
  io.stdout(problems.length === 0 ? `${files.length} file(s), ${loaded.resources.length} resource(s): valid\n` : `${problems.length} problem(s)\n`);
  return problems.length === 0 ? 0 : 1;
}

function snapshotProblems(nodeCluster: string, resources: Parameters<typeof Snapshot.fromResources>[0]): string[] {
  const problems: string[] = [];
  let snapshot: Snapshot;
  try {
    snapshot = Snapshot.fromResources(resources);
  } catch (err) {
    return [`gateway ${nodeCluster}: ${(err as Error).message}`];
  }
  for (const problem of snapshot.inconsistencies()) problems.push(`gateway ${nodeCluster}: GH_XDS_SNAPSHOT_INCONSISTENT: ${problem}`);
  for (const typeUrl of PUSH_ORDER) {
    for (const entry of snapshot.entries(typeUrl).values()) {
      try {
        encodeResource(typeUrl, entry.resource);
      } catch (err) {
        problems.push(`gateway ${nodeCluster}: ${typeLabel(typeUrl)} "${entry.name}": ${(err as Error).message}`);
      }
    }
  }
  return problems;
}

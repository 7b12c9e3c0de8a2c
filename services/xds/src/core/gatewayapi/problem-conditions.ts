// The conditions that report a problem, whatever their polarity: what `gatehouse validate`, the CLI's
// status and the admin API's /status list, so all three say the same.
import type { Condition, ResourceStatus, StatusMap } from './status-types.js';

/** Conditions where True is the problem (Gateway API "abnormal-true" polarity). */
export const ABNORMAL_TRUE = new Set(['Conflicted', 'Degraded', 'PartiallyInvalid']);

export function problemConditions(status: ResourceStatus): Condition[] {
  const lists: Condition[][] = [];
  if ('conditions' in status) lists.push(status.conditions);
  if ('listeners' in status) for (const l of status.listeners) lists.push(l.conditions);
  if ('parents' in status) for (const p of status.parents) lists.push(p.conditions);
  if ('ancestors' in status) for (const a of status.ancestors) lists.push(a.conditions);
  return lists.flat().filter((c) => (ABNORMAL_TRUE.has(c.type) ? c.status === 'True' : c.status !== 'True'));
}

/** Every problem condition of every resource, for /status. */
export function statusProblems(statuses: StatusMap): Array<{ resource: string } & Condition> {
  return [...statuses].flatMap(([resource, status]) => problemConditions(status).map((c) => ({ resource, ...c })));
}

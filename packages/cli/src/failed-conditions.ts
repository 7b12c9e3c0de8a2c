// Gateway API conditions that report a problem, whatever their polarity.
import type { ResourceStatus } from '@gatehouse/xds/core';

/** Conditions where True is the problem (Gateway API "abnormal-true" polarity). */
export const NEGATIVE_POLARITY = new Set(['Conflicted', 'Degraded']);

export function failedConditions(status: ResourceStatus): Array<{ type: string; reason: string; message: string }> {
  const lists: Array<Array<{ type: string; status: string; reason: string; message: string }>> = [];
  if ('conditions' in status) lists.push(status.conditions);
  if ('listeners' in status) for (const l of status.listeners) lists.push(l.conditions);
  if ('parents' in status) for (const p of status.parents) lists.push(p.conditions);
  if ('ancestors' in status) for (const a of status.ancestors) lists.push(a.conditions);
  return lists.flat().filter((c) => (NEGATIVE_POLARITY.has(c.type) ? c.status === 'True' : c.status === 'False'));
}


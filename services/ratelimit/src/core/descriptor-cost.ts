// A rule's request cost, sent by Envoy as the descriptor's last entry (RATE_LIMIT_COST_ENTRY_KEY, see
// @gatehouse/contracts): taken off before matching, so every cost spends from the same bucket, and used as
// that descriptor's hits_addend. A value that is not a whole number counts 1 (the cost of a request without
// one); one above the request limit counts that limit: a malformed cost never loosens a limit.
import { RATE_LIMIT_COST_ENTRY_KEY } from '@gatehouse/contracts';
import type { CheckDescriptor, CheckRequest } from './rate-limit-request.js';

export function applyCostEntries(request: CheckRequest, maxHitsAddend: number): CheckRequest {
  if (!request.descriptors.some(hasCostEntry)) return request;
  return { ...request, descriptors: request.descriptors.map((d) => (hasCostEntry(d) ? withoutCostEntry(d, maxHitsAddend) : d)) };
}

function hasCostEntry(descriptor: CheckDescriptor): boolean {
  return descriptor.entries.some((e) => e.key === RATE_LIMIT_COST_ENTRY_KEY);
}

function withoutCostEntry(descriptor: CheckDescriptor, maxHitsAddend: number): CheckDescriptor {
  const cost = descriptor.entries.find((e) => e.key === RATE_LIMIT_COST_ENTRY_KEY)!;
  const entries = descriptor.entries.filter((e) => e.key !== RATE_LIMIT_COST_ENTRY_KEY);
  // A hits_addend Envoy set on the descriptor itself is the more specific answer.
  return { ...descriptor, entries, hitsAddend: descriptor.hitsAddend ?? parseCost(cost.value, maxHitsAddend) };
}

export function parseCost(value: string, maxHitsAddend: number): number {
  if (!/^\d{1,16}$/.test(value.trim())) return 1;
  return Math.min(Number(value.trim()), maxHitsAddend);
}

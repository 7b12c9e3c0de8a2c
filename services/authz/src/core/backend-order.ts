// The order in which authz tries a remoteJWKS or OIDC provider's backends for one fetch, as Envoy
// Gateway spreads a jwks/oidc cluster over its backendRefs: a primary picked by weight first, then the
// other primaries (by weight again), then the `fallback: true` backends (Envoy's priority 1, used when
// the primaries fail). Weight 0 is never picked. Pure: the random source is injected.
export interface Weighted {
  readonly weight: number;
  readonly fallback: boolean;
}

/** A number in [0, 1), like Math.random. */
export type Random = () => number;

/** Primaries in weighted random order, then fallbacks in weighted random order; weight 0 left out. */
export function backendOrder<T extends Weighted>(backends: readonly T[], random: Random): T[] {
  const usable = backends.filter((b) => b.weight > 0);
  return [...weightedShuffle(usable.filter((b) => !b.fallback), random), ...weightedShuffle(usable.filter((b) => b.fallback), random)];
}

/** Draws without replacement, each draw with probability weight / (weight of those left). */
function weightedShuffle<T extends Weighted>(items: readonly T[], random: Random): T[] {
  const left = [...items];
  const out: T[] = [];
  while (left.length > 0) {
    let r = random() * left.reduce((sum, b) => sum + b.weight, 0);
    let i = 0;
    while (i < left.length - 1 && r >= left[i]!.weight) r -= left[i++]!.weight;
    out.push(...left.splice(i, 1));
  }
  return out;
}

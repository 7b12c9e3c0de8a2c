// Picks the solver for one DNS name the way cert-manager does: the most specific selector wins
// (a dnsNames match beats the longest dnsZones match, which beats an empty selector); ties go to
// the first solver listed. Wildcard names can only be proven with DNS-01.
import type { Solver } from './resources.js';

function zoneMatchLength(name: string, zones: readonly string[]): number {
  const bare = name.replace(/^\*\./, '');
  let best = -1;
  for (const zone of zones) {
    const z = zone.toLowerCase().replace(/\.$/, '');
    if (bare === z || bare.endsWith(`.${z}`)) best = Math.max(best, z.length);
  }
  return best;
}

/** Score of `solver` for `name`; undefined when it cannot be used. Higher is more specific. */
function score(solver: Solver, name: string): number | undefined {
  if (name.startsWith('*.') && !solver.dns01) return undefined;
  const selector = solver.selector;
  const hasNames = (selector?.dnsNames?.length ?? 0) > 0;
  const hasZones = (selector?.dnsZones?.length ?? 0) > 0;
  if (!hasNames && !hasZones) return 0;
  if (hasNames && selector?.dnsNames?.map((n) => n.toLowerCase()).includes(name)) return 1_000_000;
  if (hasZones) {
    const match = zoneMatchLength(name, selector?.dnsZones ?? []);
    if (match >= 0) return 1 + match;
  }
  return undefined;
}

export function selectSolver(solvers: readonly Solver[], name: string): Solver | undefined {
  let best: Solver | undefined;
  let bestScore = -1;
  for (const solver of solvers) {
    const s = score(solver, name.toLowerCase());
    if (s !== undefined && s > bestScore) {
      best = solver;
      bestScore = s;
    }
  }
  return best;
}

/** The ACME challenge type a solver answers. */
export function challengeTypeOf(solver: Solver): 'http-01' | 'dns-01' {
  return solver.dns01 ? 'dns-01' : 'http-01';
}

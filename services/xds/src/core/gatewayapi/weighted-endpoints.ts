// Several weighted backends merged into one cluster (a UDPRoute's backends, a policy's backendRefs):
// each backend's endpoints share its weight as Envoy load_balancing_weight, endpoint weight =
// weight * L / endpoints with L the lcm of the endpoint counts, so every backend gets its share
// however many endpoints it has.
import type { EndpointIR } from '../ir/types.js';

/** The largest load_balancing_weight sum Envoy takes for a locality (uint32). */
const MAX_WEIGHT_SUM = 4_294_967_295;

/** The backends' endpoints with their weights spread, or undefined when the sum exceeds what Envoy accepts. */
export function spreadWeights(backends: ReadonlyArray<{ endpoints: readonly EndpointIR[]; weight: number }>): EndpointIR[] | undefined {
  const counts = backends.map((b) => b.endpoints.length).filter((n) => n > 0);
  const lcm = counts.reduce((a, b) => (a * b) / gcd(a, b), 1);
  const endpoints: EndpointIR[] = backends.flatMap((backend) => backend.endpoints.map((e) => ({ ...e, weight: (backend.weight * lcm) / backend.endpoints.length })));
  return endpoints.reduce((sum, e) => sum + e.weight!, 0) > MAX_WEIGHT_SUM ? undefined : endpoints;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

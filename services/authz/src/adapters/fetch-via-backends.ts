// One fetch over a remoteJWKS or OIDC provider's backendRefs: the backends are tried in the order the
// core picks (backend-order.ts: a primary by weight, the other primaries, then the fallbacks), moving
// on when one fails to connect, times out or answers 5xx, as Envoy fails over within its cluster.
// backendSettings.retry (retrying-fetch.ts) wraps the whole walk: each retry picks afresh.
import { backendOrder, type Random } from '../core/backend-order.js';
import type { WeightedBackend } from '../core/policy/policy-model.js';
import { fetchTextVia, type FetchedText, type FetchViaOptions } from './fetch-via-backend.js';

/** The first answer under 500; when every backend failed, the last one's answer or error. */
export async function fetchTextViaBackends(url: string, backends: readonly WeightedBackend[], options: FetchViaOptions, random: Random = Math.random): Promise<FetchedText> {
  const order = backendOrder(backends, random);
  if (order.length === 0) throw new Error(`${url}: every backendRef has weight 0`);
  let last: { answer: FetchedText } | { error: unknown } = { error: undefined };
  for (const backend of order) {
    try {
      const answer = await fetchTextVia(url, backend, options);
      if (answer.status < 500) return answer;
      last = { answer };
    } catch (error) {
      last = { error };
    }
  }
  if ('answer' in last) return last.answer;
  throw last.error;
}

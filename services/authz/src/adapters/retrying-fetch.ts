// A fetch to a remoteJWKS or OIDC provider backend, retried as its backendSettings.retry says (the
// retry Envoy Gateway would put on the cluster Envoy fetches through): a failure to connect or a reset
// is retried for connect-failure, reset, refused-stream, 5xx and gateway-error; an answer for 5xx (any
// 5xx status) and gateway-error (502, 503, 504). Between attempts: a fully jittered exponential
// back-off, as Envoy waits (random in [0, min(max, base * 2^attempt)]).
import type { ServiceRetrySpec } from '../core/policy/policy-model.js';
import type { FetchedText } from './fetch-via-backend.js';

const NETWORK_TRIGGERS = new Set(['connect-failure', 'reset', 'refused-stream', '5xx', 'gateway-error']);

export type Sleep = (ms: number) => Promise<void>;
const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `attempt` once, then again while the outcome matches a trigger, at most `retry.numRetries` more times. */
export async function withRetries(attempt: () => Promise<FetchedText>, retry: ServiceRetrySpec | undefined, wait: Sleep = sleep): Promise<FetchedText> {
  for (let n = 0; ; n += 1) {
    const last = n >= (retry?.numRetries ?? 0);
    try {
      const answer = await attempt();
      if (last || !retriableStatus(answer.status, retry!.triggers)) return answer;
    } catch (err) {
      if (last || !retry!.triggers.some((t) => NETWORK_TRIGGERS.has(t))) throw err;
    }
    await wait(Math.random() * Math.min(retry!.maxIntervalMs, retry!.baseIntervalMs * 2 ** n));
  }
}

function retriableStatus(status: number, triggers: readonly string[]): boolean {
  if (triggers.includes('5xx') && status >= 500) return true;
  return triggers.includes('gateway-error') && (status === 502 || status === 503 || status === 504);
}

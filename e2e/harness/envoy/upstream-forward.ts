// The router's last step for the emulator, when a test wants it: send the request to the upstream
// endpoint over HTTP/1.1 and apply the route's retry_policy as Envoy's router does (retry_on
// triggers, retriable_status_codes, num_retries). Back-off waits are not played: no test may time them.
import { request as httpRequest } from 'node:http';

export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends one request to host:port; rejects when the connection fails or is reset. */
export type Forward = (address: { host: string; port: number }, request: { method: string; path: string; headers: Record<string, string>; body?: string }) => Promise<UpstreamAnswer>;

export const httpForward: Forward = (address, request) =>
  new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: address.host, port: address.port, method: request.method, path: request.path, headers: request.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        resolve({ status: response.statusCode ?? 502, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });

export interface RetryPolicy {
  retry_on?: string;
  num_retries?: number | { value?: number };
  retriable_status_codes?: number[];
}

/** Whether Envoy's router retries after this outcome (an answer, or a failed connection). */
function retriable(policy: RetryPolicy, outcome: UpstreamAnswer | Error): boolean {
  const on = new Set((policy.retry_on ?? '').split(',').map((t) => t.trim()));
  if (outcome instanceof Error) return ['5xx', 'gateway-error', 'connect-failure', 'reset'].some((t) => on.has(t));
  const status = outcome.status;
  if (on.has('5xx') && status >= 500) return true;
  if (on.has('gateway-error') && [502, 503, 504].includes(status)) return true;
  if (on.has('retriable-4xx') && status === 409) return true;
  return on.has('retriable-status-codes') && (policy.retriable_status_codes ?? []).includes(status);
}

/** The upstream's final answer (503 when no connection could be made) and how many attempts it took. */
export async function forwardWithRetries(
  forward: Forward,
  address: { host: string; port: number },
  request: Parameters<Forward>[1],
  policy: RetryPolicy | undefined,
): Promise<{ answer: UpstreamAnswer; attempts: number }> {
  const retries = policy ? (typeof policy.num_retries === 'object' ? (policy.num_retries.value ?? 1) : (policy.num_retries ?? 1)) : 0;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const outcome = await forward(address, request).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    const again = policy !== undefined && attempts <= retries && retriable(policy, outcome);
    if (!again) {
      const answer = outcome instanceof Error ? { status: 503, headers: { 'content-type': 'text/plain' }, body: 'upstream connect error or disconnect/reset before headers' } : outcome;
      return { answer, attempts };
    }
  }
}

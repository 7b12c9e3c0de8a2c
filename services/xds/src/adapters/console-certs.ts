// What the certs service knows about the certificates it manages (CONSOLE_CERTS_URL: its admin API,
// GET /certificates): renewal time (ARI-aware), last failure, next attempt. Read every 15 s and merged into
// the console's Certificates view; renew and revoke are forwarded to it with the operator's admin token.
// xds usually starts before certs: until certs has answered once, a failed read is retried sooner (1 s,
// doubling up to the interval) and reported as CertsNotReachableYet, which the service logs at debug.
import type { CertificateView, ManagedCertificate } from '@gatehouse/console/model';

/** The parts of a certs `GET /certificates` item the console shows (a cert-manager-style Certificate). */
interface CertsItem {
  metadata?: { namespace?: string; name?: string };
  spec?: { secretName?: string; dnsNames?: string[]; issuerRef?: { name?: string; kind?: string } };
  status?: {
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    renewalTime?: string;
    lastFailureTime?: string;
    failedIssuanceAttempts?: number;
    nextAttemptTime?: string;
  };
}

/** Keyed by the Secret it writes, "<namespace>/<secretName>": the name xds serves it by. */
export function managedCertificates(list: { items?: CertsItem[] }): Map<string, ManagedCertificate> {
  const out = new Map<string, ManagedCertificate>();
  for (const item of list.items ?? []) {
    const namespace = item.metadata?.namespace ?? 'default';
    const name = item.metadata?.name;
    if (!name) continue;
    const condition = (type: string) => item.status?.conditions?.find((c) => c.type === type);
    const ready = condition('Ready');
    const issuing = condition('Issuing');
    const status = item.status ?? {};
    out.set(`${namespace}/${item.spec?.secretName ?? name}`, {
      certificate: `${namespace}/${name}`,
      issuerRef: `${item.spec?.issuerRef?.kind ?? 'Issuer'} ${item.spec?.issuerRef?.name ?? '?'}`,
      dnsNames: item.spec?.dnsNames ?? [],
      ready: { status: ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown', reason: ready?.reason ?? '', message: ready?.message ?? '' },
      ...(issuing ? { issuing: { reason: issuing.reason ?? '', message: issuing.message ?? '' } } : {}),
      ...(status.renewalTime ? { renewalTime: status.renewalTime } : {}),
      ...(status.lastFailureTime ? { lastFailureTime: status.lastFailureTime } : {}),
      ...(status.failedIssuanceAttempts ? { failedIssuanceAttempts: status.failedIssuanceAttempts } : {}),
      ...(status.nextAttemptTime ? { nextAttemptTime: status.nextAttemptTime } : {}),
    });
  }
  return out;
}

/** The served certificates with what certs says of each, then the managed ones not served yet. */
export function mergeManaged(served: readonly CertificateView[], managed: ReadonlyMap<string, ManagedCertificate>): CertificateView[] {
  const out = served.map((c) => (managed.has(c.name) ? { ...c, managed: managed.get(c.name)! } : c));
  for (const [secret, m] of managed) if (!served.some((c) => c.name === secret)) out.push({ name: secret, served: false, hostnames: m.dnsNames, gateways: [], managed: m });
  return out;
}

export interface CertsStatusOptions {
  /** The certs admin API's base URL, e.g. http://certs:9102. */
  url: string;
  token?: string | undefined;
  intervalMs?: number;
  /** The first retry while certs has never answered; doubles up to intervalMs. Default 1 s. */
  firstRetryMs?: number;
  /** A failed read; a CertsNotReachableYet while certs has never answered (it is still starting). */
  onError?: (err: unknown) => void;
}

/** A read failed before certs ever answered: expected while it starts, so not worth a warning. `cause` is the failure. */
export class CertsNotReachableYet extends Error {
  constructor(url: string, cause: unknown) {
    super(`the certs service at ${url} is not reachable yet: ${describeFailure(cause)}`, { cause });
    this.name = 'CertsNotReachableYet';
  }
}

/** A fetch failure in one line: "fetch failed" alone hides the reason (ECONNREFUSED ...) in its cause. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && cause !== err.message ? `${err.message} (${cause})` : err.message;
}

/** Polls certs' GET /certificates; `current()` is the last good answer. */
export class CertsStatus {
  private managed = new Map<string, ManagedCertificate>();
  private timer?: NodeJS.Timeout;
  private reached = false;
  private stopped = false;

  constructor(private readonly options: CertsStatusOptions) {}

  start(): void {
    this.stopped = false;
    void this.poll(this.options.firstRetryMs ?? 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Reads now, then again after the interval, or sooner (doubling) while certs has never answered. */
  private async poll(retryMs: number): Promise<void> {
    await this.refresh();
    if (this.stopped) return;
    const intervalMs = this.options.intervalMs ?? 15_000;
    const delay = this.reached ? intervalMs : Math.min(retryMs, intervalMs);
    this.timer = setTimeout(() => void this.poll(retryMs * 2), delay);
    this.timer.unref();
  }

  current(): ReadonlyMap<string, ManagedCertificate> {
    return this.managed;
  }

  async refresh(): Promise<void> {
    try {
      const response = await fetch(new URL('/certificates', this.options.url), { headers: this.authorization(this.options.token), signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`GET /certificates: HTTP ${response.status}`);
      this.managed = managedCertificates((await response.json()) as { items?: CertsItem[] });
      this.reached = true;
    } catch (err) {
      this.options.onError?.(this.reached ? err : new CertsNotReachableYet(this.options.url, err));
    }
  }

  /** POST /certificates/<ns>/<name>/<action> on certs, with the operator's own Authorization header. */
  async act(certificate: string, action: 'renew' | 'revoke', authorization: string | undefined): Promise<{ status: number; body: unknown }> {
    const [namespace, name] = certificate.split('/');
    const response = await fetch(new URL(`/certificates/${encodeURIComponent(namespace ?? '')}/${encodeURIComponent(name ?? '')}/${action}`, this.options.url), {
      method: 'POST',
      headers: authorization ? { authorization } : {},
      signal: AbortSignal.timeout(10_000),
    });
    const body: unknown = await response.json().catch(() => ({}));
    void this.refresh();
    return { status: response.status, body };
  }

  private authorization(token: string | undefined): Record<string, string> {
    return token ? { authorization: `Bearer ${token}` } : {};
  }
}

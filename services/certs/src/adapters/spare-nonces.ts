// Replay-Nonce values acme-client left unused, per CA origin, so the next signed request can use
// one. acme-client asks newNonce before every signed request; RFC 8555 section 7.2 lets a client
// use the nonce of an earlier answer instead, which saves a request (and a call slot) each time.

const KEPT_PER_CA = 20;
/** Older nonces may have expired at the CA (a badNonce answer costs the request the nonce saved). */
const MAX_AGE_MS = 30_000;

export function originOf(url: string | undefined): string | undefined {
  try {
    return new URL(url ?? '').origin;
  } catch {
    return undefined;
  }
}

/** The spare nonces of one AcmeHttp (see acme-http.ts), per CA origin. */
export class SpareNonces {
  /** Per origin, oldest first. */
  private readonly spare = new Map<string, { nonce: string; at: number }[]>();

  /** The newest fresh unused nonce of the CA serving `url`, if there is one; it is used up. */
  take(url: string): string | undefined {
    const kept = this.spare.get(originOf(url) ?? '');
    for (let entry = kept?.pop(); entry; entry = kept?.pop()) {
      if (performance.now() - entry.at < MAX_AGE_MS) return entry.nonce;
    }
    return undefined;
  }

  /** Keeps the Replay-Nonce of an answer to `url` that nobody else will use. */
  keep(url: string | undefined, nonce: string): void {
    const origin = originOf(url);
    if (!origin) return;
    const kept = this.spare.get(origin) ?? [];
    kept.push({ nonce, at: performance.now() });
    if (kept.length > KEPT_PER_CA) kept.shift();
    this.spare.set(origin, kept);
  }
}

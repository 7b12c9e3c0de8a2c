// One ACME account at one CA: acme-client plus what it lacks (ARI, profiles, replaces).
import * as acme from 'acme-client';
import { CertsError, CertsErrorCodes } from '../errors.js';
import type { AcmeHttp } from './acme-http.js';

export interface AcmeDirectory {
  readonly newOrder: string;
  readonly renewalInfo?: string;
  readonly meta?: { readonly profiles?: Readonly<Record<string, string>>; readonly externalAccountRequired?: boolean };
}

export interface RenewalInfo {
  readonly start: Date;
  readonly end: Date;
  readonly explanationUrl?: string;
  /** From Retry-After: when to ask again. */
  readonly retryAfter?: string;
}

export interface AcmeAccountOptions {
  /** The HTTP layer every request of this account goes through. */
  readonly http: AcmeHttp;
  readonly directoryUrl: string;
  /** Names this CA + account at the call limiter: every request made for it takes one of its slots. */
  readonly callKey: string;
  readonly accountKeyPem: string;
  readonly accountUrl?: string;
  readonly email?: string;
  readonly externalAccountBinding?: { readonly kid: string; readonly hmacKey: string };
  /**
   * Polling backoff for authorization/order status: asked at once, then 100 ms doubling to 10 s, 16
   * attempts (about 90 s in all). A CA that validates within a fraction of a second (Pebble, a nearby
   * CA) is seen a tenth of a second later; a slow one is asked a few times a minute (Let's Encrypt
   * allows 250 requests per second on /acme/*; every poll also takes a slot of the shared call limiter).
   */
  readonly pollMinMs?: number;
  readonly pollMaxMs?: number;
  readonly pollAttempts?: number;
}

export class AcmeAccount {
  readonly client: acme.Client;
  private directoryPromise: Promise<AcmeDirectory> | undefined;
  private directoryFetchedAt = 0;

  constructor(private readonly options: AcmeAccountOptions) {
    this.client = options.http.bind(new acme.Client({
      directoryUrl: options.directoryUrl,
      accountKey: options.accountKeyPem,
      ...(options.accountUrl ? { accountUrl: options.accountUrl } : {}),
      ...(options.externalAccountBinding ? { externalAccountBinding: options.externalAccountBinding } : {}),
      backoffMin: options.pollMinMs ?? 100,
      backoffMax: options.pollMaxMs ?? 10_000,
      backoffAttempts: options.pollAttempts ?? 16,
    }), options.callKey);
    // Sign with a nonce from an earlier answer when one is at hand, instead of asking newNonce
    // before every signed request (acme-client's HttpClient, see takeSpareNonce).
    const http = (this.client as unknown as { http: { getNonce: () => Promise<string> } }).http;
    const fetchNonce = http.getNonce.bind(http);
    http.getNonce = () => Promise.resolve(options.http.spareNonces.take(options.directoryUrl) ?? fetchNonce());
  }

  /** Registers (or finds) the account; returns its URL. */
  async register(): Promise<string> {
    try {
      return this.client.getAccountUrl();
    } catch {
      await this.client.createAccount({
        termsOfServiceAgreed: true,
        ...(this.options.email ? { contact: [`mailto:${this.options.email}`] } : {}),
      });
      return this.client.getAccountUrl();
    }
  }

  /** The CA's directory, refreshed daily (a CA may add ARI or profiles). */
  directory(): Promise<AcmeDirectory> {
    if (Date.now() - this.directoryFetchedAt > 86_400_000) {
      this.directoryPromise = undefined;
      this.directoryFetchedAt = Date.now();
    }
    this.directoryPromise ??= this.get(this.options.directoryUrl).then((r) => {
      if (r.status !== 200 || typeof r.data !== 'object' || r.data === null) {
        this.directoryPromise = undefined;
        throw new CertsError(CertsErrorCodes.ACME_DIRECTORY_UNAVAILABLE, `${this.options.directoryUrl} returned HTTP ${r.status}`);
      }
      return r.data as AcmeDirectory;
    });
    return this.directoryPromise;
  }

  /** The profile to request, or undefined when the CA does not offer profiles (or not this one). */
  async profileToRequest(wanted: string | undefined): Promise<{ profile?: string; warning?: string }> {
    if (!wanted) return {};
    const profiles = (await this.directory()).meta?.profiles;
    if (!profiles) return { warning: `the CA offers no profiles; ignoring profile "${wanted}"` };
    if (!(wanted in profiles)) throw new CertsError(CertsErrorCodes.ACME_PROFILE_UNKNOWN, `the CA offers profiles ${Object.keys(profiles).join(', ')}, not "${wanted}"`);
    return { profile: wanted };
  }

  /** RFC 9773: the CA's suggested renewal window, or undefined when it has no ARI. */
  async renewalInfo(certId: string): Promise<RenewalInfo | undefined> {
    const base = (await this.directory()).renewalInfo;
    if (!base) return undefined;
    const r = await this.get(`${base.replace(/\/$/, '')}/${certId}`);
    if (r.status !== 200) return undefined;
    const data = r.data as { suggestedWindow?: { start?: string; end?: string }; explanationURL?: string };
    const start = Date.parse(data.suggestedWindow?.start ?? '');
    const end = Date.parse(data.suggestedWindow?.end ?? '');
    if (Number.isNaN(start) || Number.isNaN(end) || end < start) return undefined;
    return {
      start: new Date(start),
      end: new Date(end),
      ...(data.explanationURL ? { explanationUrl: data.explanationURL } : {}),
      ...(r.headers['retry-after'] ? { retryAfter: r.headers['retry-after'] } : {}),
    };
  }

  /**
   * newOrder with profile and ARI "replaces". A CA that refuses the replaces field (already
   * replaced, unknown certificate, no ARI) gets the same order again without it.
   */
  async createOrder(dnsNames: readonly string[], extras: { profile?: string; replaces?: string }): Promise<{ order: acme.Order; replacesAccepted: boolean }> {
    const base = { identifiers: dnsNames.map((value) => ({ type: 'dns', value })) };
    const withExtras = { ...base, ...(extras.profile ? { profile: extras.profile } : {}) };
    if (extras.replaces) {
      try {
        return { order: await this.client.createOrder({ ...withExtras, replaces: extras.replaces } as never), replacesAccepted: true };
      } catch (err) {
        // Only a refusal of the request itself is worth repeating without replaces; a rate limit or
        // an unreachable CA would fail the same way again.
        const problem = this.options.http.currentProblem();
        if (!problem || problem.status === 429 || problem.status >= 500 || problem.type === 'urn:ietf:params:acme:error:rateLimited') throw err;
      }
    }
    return { order: await this.client.createOrder(withExtras as never), replacesAccepted: false };
  }

  async revoke(certPem: string, reason?: number): Promise<void> {
    await this.client.revokeCertificate(certPem, reason === undefined ? {} : { reason });
  }

  private get(url: string): ReturnType<AcmeHttp['get']> {
    return this.options.http.withCallKey(this.options.callKey, () => this.options.http.get(url));
  }
}

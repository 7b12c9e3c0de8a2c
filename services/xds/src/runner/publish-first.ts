// Make-before-break across services. A snapshot may send Envoy to authz with a policy (or to
// ratelimit with descriptors) that did not exist before; applied first, Envoy could ask before authz
// knows the policy and get 403 GH_AUTHZ_UNKNOWN_POLICY. So each translation's side effects are
// published first, keeping the policies it drops one more round (Envoy may still route through them
// until it takes the new snapshot), then the snapshots apply. A publication that fails or hangs
// (Redis down) holds the snapshots back at most `budgetMs`, and is retried until a newer one exists.
import type { AuthzPolicy, SideEffects, TranslateResult } from '../core/index.js';

export interface PublishFirstOptions {
  publish: (effects: SideEffects) => Promise<unknown>;
  /** How long snapshots wait for their side effects to be published. Default 2000 ms. */
  budgetMs?: number;
  /** First delay before publishing the latest side effects again after a failure (doubling, at most 30 s). Default 1000 ms. */
  retryMs?: number;
  onError?: (err: unknown) => void;
}

const MAX_RETRY_MS = 30_000;

export class PublishFirst {
  private publishing: Promise<unknown> = Promise.resolve();
  /** What the last translation gave authz: its policies stay published one more round. */
  private lastAuthz: { policies: readonly AuthzPolicy[]; secrets: ReadonlyMap<string, { data: Record<string, Buffer> }> } = { policies: [], secrets: new Map() };
  /** The side effects of the latest translation: the only ones worth publishing again after a failure. */
  private latest?: SideEffects;
  private retryDelayMs = 0;

  constructor(private readonly options: PublishFirstOptions) {}

  /** Publishes `result`'s side effects (with the retired policies), then runs `apply`. */
  run(result: TranslateResult, apply: () => void): void {
    const retired = this.lastAuthz.policies.filter((p) => !result.authzPolicies.some((n) => n.namespace === p.namespace && n.name === p.name));
    const effects: SideEffects = {
      rateLimitDomains: result.rateLimitDomains,
      authzPolicies: [...result.authzPolicies, ...retired],
      authzSecrets: new Map([...this.lastAuthz.secrets, ...result.authzSecrets]),
      certificatesWanted: result.certificatesWanted,
    };
    this.lastAuthz = { policies: result.authzPolicies, secrets: result.authzSecrets };
    this.latest = effects;
    const published = this.publishing.then(() => this.publishOnce(effects));
    const budget = new Promise<void>((resolve) => setTimeout(resolve, this.options.budgetMs ?? 2000).unref());
    this.publishing = Promise.race([published, budget])
      .then(apply)
      .catch((err: unknown) => this.options.onError?.(err));
  }

  /** Resolves when every publication started so far has been published or given up on, and applied. */
  settled(): Promise<unknown> {
    return this.publishing;
  }

  private publishOnce(effects: SideEffects): Promise<void> {
    return this.options.publish(effects).then(
      () => void (this.retryDelayMs = 0),
      (err: unknown) => {
        this.options.onError?.(err);
        // Redis down for longer than its client's own retries: no later event would publish this change
        // (ratelimit, authz and certs would keep the old config until the next edit), so try again.
        if (effects !== this.latest) return;
        this.retryDelayMs = Math.min(Math.max(this.retryDelayMs * 2, this.options.retryMs ?? 1_000), MAX_RETRY_MS);
        const retry = (): void => {
          if (effects === this.latest) this.publishing = this.publishing.then(() => this.publishOnce(effects));
        };
        setTimeout(retry, this.retryDelayMs).unref();
      },
    );
  }
}

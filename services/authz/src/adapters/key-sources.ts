// One KeySource per JWT provider. Remote JWKS instances are kept across reloads (by URI and settings)
// so a config change does not drop warm keys or cause a burst of fetches.
import type { JwtProviderSpec } from '../core/policy/policy-model.js';
import type { KeySource } from '../core/authenticate/select-keys.js';
import { LocalJwks, RemoteJwks } from './remote-jwks.js';

export interface KeySourceRegistryOptions {
  readonly maxStaleMs?: number;
  readonly onFetch?: (outcome: 'ok' | 'error', uri: string) => void;
}

export class KeySourceRegistry {
  readonly #remote = new Map<string, RemoteJwks>();
  readonly #local = new WeakMap<JwtProviderSpec, LocalJwks>();

  constructor(readonly options: KeySourceRegistryOptions = {}) {}

  keySourceFor = (provider: JwtProviderSpec): KeySource => {
    const jwks = provider.jwks;
    if (jwks.kind === 'local') {
      let local = this.#local.get(provider);
      if (!local) this.#local.set(provider, (local = new LocalJwks(jwks.jwks.keys)));
      return local;
    }
    // Weights, fallbacks and BackendTLSPolicy settings too: a changed one must not reuse a source made with the old ones.
    const via = jwks.backends ? JSON.stringify(jwks.backends) : '';
    const id = `${jwks.uri}\u0000${jwks.cacheDurationMs}\u0000${jwks.failedRefetchMs}\u0000${via}\u0000${JSON.stringify(jwks.retry ?? null)}`;
    let remote = this.#remote.get(id);
    if (!remote) {
      remote = new RemoteJwks({
        uri: jwks.uri,
        cacheDurationMs: jwks.cacheDurationMs,
        cooldownMs: jwks.failedRefetchMs,
        ...(jwks.backends && { backends: jwks.backends }),
        ...(jwks.retry && { retry: jwks.retry }),
        ...(this.options.maxStaleMs !== undefined && { maxStaleMs: this.options.maxStaleMs }),
        ...(this.options.onFetch && { onFetch: (outcome: 'ok' | 'error') => this.options.onFetch!(outcome, jwks.uri) }),
      });
      this.#remote.set(id, remote);
    }
    return remote;
  };
}

// HTTP webhook DNS-01 provider. POSTs JSON to the configured URLs:
//   present: { "host": "_acme-challenge.example.com.", "fqdn": "_acme-challenge.example.com", "value": "<txt>" }
//   cleanup: the same body to cleanupUrl (skipped when no cleanupUrl is set)
// The body fits pebble-challtestsrv's /set-txt and /clear-txt as is.
import { Dns01Error, type Dns01Provider } from './dns01-provider.js';

export interface WebhookProviderOptions {
  readonly presentUrl: string;
  readonly cleanupUrl?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

export class WebhookDns01Provider implements Dns01Provider {
  constructor(private readonly options: WebhookProviderOptions) {}

  static fromConfig(config: Readonly<Record<string, unknown>>): WebhookDns01Provider {
    const headers = typeof config.headers === 'object' && config.headers !== null ? (config.headers as Record<string, string>) : undefined;
    return new WebhookDns01Provider({
      presentUrl: String(config.presentUrl),
      ...(typeof config.cleanupUrl === 'string' ? { cleanupUrl: config.cleanupUrl } : {}),
      ...(headers ? { headers } : {}),
    });
  }

  async present(fqdn: string, value: string): Promise<void> {
    await this.post(this.options.presentUrl, fqdn, value, 'GH_CERTS_DNS01_PRESENT_FAILED');
  }

  async cleanup(fqdn: string, value: string): Promise<void> {
    if (this.options.cleanupUrl) await this.post(this.options.cleanupUrl, fqdn, value, 'GH_CERTS_DNS01_CLEANUP_FAILED');
  }

  private async post(url: string, fqdn: string, value: string, code: 'GH_CERTS_DNS01_PRESENT_FAILED' | 'GH_CERTS_DNS01_CLEANUP_FAILED'): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: JSON.stringify({ host: `${fqdn}.`, fqdn, value }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new Dns01Error(code, `webhook ${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!response.ok) throw new Dns01Error(code, `webhook ${url} answered HTTP ${response.status}`);
  }
}

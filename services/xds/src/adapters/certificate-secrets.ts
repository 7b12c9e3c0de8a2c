// Issued certificates as SDS secrets. The certs service keeps the latest
// gatehouse.v1.CertificateIssued per certificate in a hash and PUBLISHes each one (services/certs
// adapters/issued-publisher.ts). Every replica loads the hash at start, follows the channel, reads
// the private key from Redis by private_key_ref, opens its envelope and serves a Secret named
// "<namespace>/<secretName>". A renewal changes only that secret: Envoy rotates it, listeners stay.
// Each message is sealed by certs with the control key: a forged or edited one is refused (counted,
// logged once) and the secret already served stays.
import { certificateIssuedCodec, decryptPrivateKey, sealedCodec, SealedUses, FanoutChannels, type ControlKeyring, type MessageCodec } from '@gatehouse/contracts';
import type { CertificateIssued__Output } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import { withTraceContext, type RedisConnection, type UntrustedData } from '@gatehouse/kit';

/** The hash certs keeps the latest message per certificate in: "<channel>:latest", as certs names it. */
export const CERTIFICATE_ISSUED_LATEST_KEY = `${FanoutChannels.certificateIssued}:latest`;

export interface CertificateSecretsOptions {
  redis: RedisConnection;
  /** A dedicated connection for SUBSCRIBE. */
  subscriber: () => RedisConnection;
  /** Opens the sealed CertificateIssued messages (GATEHOUSE_CONTROL_KEY). */
  keyring: ControlKeyring;
  untrusted?: UntrustedData;
  encryptionKey?: Buffer;
  /** Accept plaintext key envelopes although a key is set (CERTS_ALLOW_PLAINTEXT_KEYS). */
  allowPlaintextKeys?: boolean;
  /** Called after the set of secrets changed. */
  onChange: () => void;
  onError: (err: unknown) => void;
  channel?: string;
  latestKey?: string;
}

interface Served {
  revision: number;
  notAfter: number;
  secret: Record<string, unknown>;
}

export class CertificateSecrets {
  private readonly served = new Map<string, Served>();
  private subscription?: RedisConnection;
  private applying: Promise<void> = Promise.resolve();
  private readonly channel: string;
  private readonly latestKey: string;
  private readonly codec: MessageCodec<unknown, CertificateIssued__Output>;

  constructor(private readonly options: CertificateSecretsOptions) {
    this.channel = options.channel ?? FanoutChannels.certificateIssued;
    this.latestKey = options.latestKey ?? `${this.channel}:latest`;
    this.codec = sealedCodec(certificateIssuedCodec, options.keyring, SealedUses.certificateIssued(this.channel)) as MessageCodec<unknown, CertificateIssued__Output>;
  }

  /** Subscribes first (so nothing published meanwhile is missed), then loads every stored one. */
  async start(): Promise<void> {
    const sub = (this.subscription = this.options.subscriber());
    sub.on('messageBuffer', (channel: Buffer, bytes: Buffer) => {
      if (channel.toString() === this.channel) void this.receive([[bytes, this.channel]]);
    });
    // ioredis resubscribes after a reconnect; reload to cover what was published meanwhile.
    sub.on('ready', () => void this.reload());
    await sub.subscribe(this.channel);
    await this.reload();
  }

  /** Envoy Secret resources, one per issued certificate. */
  secrets(): Array<Record<string, unknown>> {
    return [...this.served.values()].map((s) => s.secret);
  }

  async close(): Promise<void> {
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub) await sub.quit().catch(() => sub.disconnect());
  }

  private async reload(): Promise<void> {
    let stored: Record<string, Buffer>;
    try {
      stored = await this.options.redis.hgetallBuffer(this.latestKey);
    } catch (err) {
      this.options.onError(err);
      return;
    }
    await this.receive(Object.entries(stored).map(([field, bytes]) => [bytes, `${this.latestKey}#${field}`]));
  }

  /** Serialized, so a reload and a message never apply the same revision twice. */
  private receive(messages: Array<[Buffer, string]>): Promise<void> {
    this.applying = this.applying.then(() => this.receiveNow(messages));
    return this.applying;
  }

  private async receiveNow(messages: Array<[Buffer, string]>): Promise<void> {
    let changed = false;
    for (const [bytes, ref] of messages) {
      let issued: CertificateIssued__Output;
      try {
        issued = this.codec.decode(bytes);
      } catch (err) {
        if (!this.options.untrusted?.report('certificate-issued', ref, err)) this.options.onError(err);
        continue;
      }
      try {
        changed = (await withTraceContext(issued.trace, 'xds.certificate-issued', () => this.apply(issued))) || changed;
      } catch (err) {
        this.options.onError(err);
      }
    }
    if (changed) this.options.onChange();
  }

  /** @returns whether the served secret changed */
  private async apply(issued: CertificateIssued__Output): Promise<boolean> {
    const name = `${issued.namespace}/${issued.secret_name}`;
    const revision = issued.revision ?? 0;
    const notAfter = Number(issued.not_after_unix ?? 0);
    const current = this.served.get(name);
    if (current && (current.revision > revision || (current.revision === revision && current.notAfter >= notAfter))) return false;
    const ref = issued.private_key_ref ?? '';
    const privateKey = decryptPrivateKey(await this.options.redis.get(ref), this.options.encryptionKey, {
      ref,
      ...(this.options.allowPlaintextKeys ? { allowPlaintext: true } : {}),
    });
    this.served.set(name, {
      revision,
      notAfter,
      secret: {
        name,
        tls_certificate: { certificate_chain: { inline_string: issued.certificate_chain_pem ?? '' }, private_key: { inline_string: privateKey } },
      },
    });
    return true;
  }
}

// Issued certificates as SDS secrets. The certs service fans out gatehouse.v1.CertificateIssued;
// every replica reads the private key from Redis (by private_key_ref), decrypts it if needed and
// serves a Secret named "<namespace>/<secretName>". A renewal changes only that secret, so Envoy
// rotates it with no listener change. Each notification is also kept in a hash so a restarted
// replica serves every certificate, not just the latest one the fan-out key holds.
import { certificateIssuedCodec } from '@gatehouse/contracts';
import type { CertificateIssued__Output } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import { FanoutChannel, type RedisConnection } from '@gatehouse/kit';
import { decryptPrivateKey } from './private-key-crypto.js';

export const CERTIFICATE_ISSUED_CHANNEL = 'gatehouse:certs:issued';
export const ISSUED_CERTIFICATES_KEY = 'gatehouse:xds:issued-certificates';

export interface CertificateSecretsOptions {
  redis: RedisConnection;
  subscriber: () => RedisConnection;
  encryptionKey?: Buffer;
  /** Called after the set of secrets changed. */
  onChange: () => void;
  onError: (err: unknown) => void;
  channelName?: string;
  hashKey?: string;
}

interface Served {
  revision: number;
  notAfter: number;
  secret: Record<string, unknown>;
}

export class CertificateSecrets {
  private readonly served = new Map<string, Served>();
  private readonly channel: FanoutChannel<unknown, CertificateIssued__Output>;
  private readonly hashKey: string;

  constructor(private readonly options: CertificateSecretsOptions) {
    this.hashKey = options.hashKey ?? ISSUED_CERTIFICATES_KEY;
    this.channel = new FanoutChannel({
      name: options.channelName ?? CERTIFICATE_ISSUED_CHANNEL,
      codec: certificateIssuedCodec as never,
      redis: options.redis,
      subscriber: options.subscriber,
    });
  }

  /** Loads every known certificate, then follows the fan-out. */
  async start(): Promise<void> {
    const stored = await this.options.redis.hgetallBuffer(this.hashKey);
    let changed = false;
    for (const bytes of Object.values(stored)) {
      try {
        changed = (await this.apply(certificateIssuedCodec.decode(bytes), false)) || changed;
      } catch (err) {
        this.options.onError(err);
      }
    }
    if (changed) this.options.onChange();
    await this.channel.subscribe(async (issued) => {
      if (await this.apply(issued, true)) this.options.onChange();
    }, this.options.onError);
  }

  /** Envoy Secret resources, one per issued certificate. */
  secrets(): Array<Record<string, unknown>> {
    return [...this.served.values()].map((s) => s.secret);
  }

  async close(): Promise<void> {
    await this.channel.close();
  }

  /** @returns whether the served secret changed */
  private async apply(issued: CertificateIssued__Output, remember: boolean): Promise<boolean> {
    const name = `${issued.namespace}/${issued.secret_name}`;
    const revision = issued.revision ?? 0;
    const notAfter = Number(issued.not_after_unix ?? 0);
    const current = this.served.get(name);
    if (current && (current.revision > revision || (current.revision === revision && current.notAfter >= notAfter))) return false;
    const privateKey = decryptPrivateKey(await this.options.redis.get(issued.private_key_ref ?? ''), this.options.encryptionKey);
    this.served.set(name, {
      revision,
      notAfter,
      secret: {
        name,
        tls_certificate: { certificate_chain: { inline_string: issued.certificate_chain_pem ?? '' }, private_key: { inline_string: privateKey } },
      },
    });
    if (remember) await this.options.redis.hset(this.hashKey, name, certificateIssuedCodec.encode(issued as never));
    return true;
  }
}

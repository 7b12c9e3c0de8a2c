// Fan-out of gatehouse.v1.CertificateIssued to every xds replica: the latest message per
// certificate is kept in a hash (a replica that starts later loads them all), then PUBLISHed.
//   HSET  gatehouse:certificates:issued:latest <ns>/<name> <protobuf bytes>
//   PUBLISH gatehouse:certificates:issued <protobuf bytes>
// (The kit's FanoutChannel keeps one latest value per channel; certificates need one per certificate,
// hence the hash under the same "<channel>:latest" name.) The bytes are a sealed envelope (HMAC under the
// control key, the channel bound): xds refuses any CertificateIssued a Redis writer forged or edited.
import { certificateIssuedCodec, sealedCodec, SealedUses, FanoutChannels, type ControlKeyring, type MessageCodec } from '@gatehouse/contracts';
import type { CertificateIssued } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import { currentTraceContext } from '@gatehouse/kit';
import type { Redis } from 'ioredis';
import type { Certificate } from '../core/resources.js';

export class IssuedPublisher {
  private readonly codec: MessageCodec<CertificateIssued, unknown>;

  constructor(
    private readonly redis: Redis,
    keyring: ControlKeyring,
    private readonly channel: string = FanoutChannels.certificateIssued,
    private readonly latestKey = `${channel}:latest`,
  ) {
    this.codec = sealedCodec(certificateIssuedCodec, keyring, SealedUses.certificateIssued(channel));
  }

  async publish(message: CertificateIssued): Promise<void> {
    const bytes = this.codec.encode(message);
    // Stored first, then announced: a replica that misses the message still finds it on reload.
    await this.redis.hset(this.latestKey, `${message.namespace}/${message.name}`, bytes);
    await this.redis.publish(this.channel, bytes);
  }
}

/** What certs announces for a stored certificate, at issuance and again at start (one spelling of the message). */
export function certificateIssuedMessage(
  cert: Certificate,
  issued: { chainPem: string; keyRef: string; notBefore: number; notAfter: number; revision: number; dnsNames: readonly string[] },
): CertificateIssued {
  return {
    trace: currentTraceContext(),
    namespace: cert.namespace,
    name: cert.name,
    secret_name: cert.secretName,
    certificate_chain_pem: issued.chainPem,
    private_key_ref: issued.keyRef,
    not_before_unix: String(Math.floor(issued.notBefore / 1000)),
    not_after_unix: String(Math.floor(issued.notAfter / 1000)),
    revision: issued.revision,
    dns_names: [...issued.dnsNames],
  };
}

// Fan-out of gatehouse.v1.CertificateIssued to every xds replica: the latest message per
// certificate is kept in a hash (a replica that starts later loads them all), then PUBLISHed.
//   HSET  gatehouse:certificates:issued:latest <ns>/<name> <protobuf bytes>
//   PUBLISH gatehouse:certificates:issued <protobuf bytes>
// (The kit's FanoutChannel keeps one latest value per channel; certificates need one per certificate,
// hence the hash under the same "<channel>:latest" name.)
import { certificateIssuedCodec, FanoutChannels } from '@gatehouse/contracts';
import type { CertificateIssued } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import type { Redis } from 'ioredis';

export class IssuedPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly channel: string = FanoutChannels.certificateIssued,
    private readonly latestKey = `${channel}:latest`,
  ) {}

  async publish(message: CertificateIssued): Promise<void> {
    const bytes = certificateIssuedCodec.encode(message);
    // Stored first, then announced: a replica that misses the message still finds it on reload.
    await this.redis.hset(this.latestKey, `${message.namespace}/${message.name}`, bytes);
    await this.redis.publish(this.channel, bytes);
  }
}

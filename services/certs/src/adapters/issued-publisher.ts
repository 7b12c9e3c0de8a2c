// Fan-out of gatehouse.v1.CertificateIssued to every xds replica: the latest message per
// certificate is kept in a hash (a replica that starts later loads them all), then PUBLISHed.
//   HSET  gatehouse:certificates:issued:latest <ns>/<name> <protobuf bytes>
//   PUBLISH gatehouse:certificates:issued <protobuf bytes>
import { certificateIssuedCodec } from '@gatehouse/contracts';
import type { CertificateIssued } from '@gatehouse/contracts/generated/gatehouse/v1/CertificateIssued';
import type { Redis } from 'ioredis';

export const ISSUED_CHANNEL = 'gatehouse:certificates:issued';
export const ISSUED_LATEST_KEY = 'gatehouse:certificates:issued:latest';

export class IssuedPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly channel = ISSUED_CHANNEL,
    private readonly latestKey = ISSUED_LATEST_KEY,
  ) {}

  async publish(message: CertificateIssued): Promise<void> {
    const bytes = certificateIssuedCodec.encode(message);
    await this.redis.multi().hset(this.latestKey, `${message.namespace}/${message.name}`, bytes).publish(this.channel, bytes).exec();
  }
}

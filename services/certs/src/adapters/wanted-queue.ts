// Consumes gatehouse.v1.CertificateWanted jobs (sent by xds for Gateways annotated
// cert-manager.io/issuer or cert-manager.io/cluster-issuer).
// BullMQ refuses ":" in queue names: the queue is QueueNames.certificateWanted ("certs-wanted") from
// @gatehouse/contracts, with the kit's QUEUE_PREFIX. The job data is sealed by xds with the control key:
// a job a Redis writer added or edited is refused (counted, logged once) and never becomes a certificate.
import { certificateWantedCodec, ContractDecodeError, sealedCodec, SealedEnvelopeError, SealedUses, type ControlKeyring } from '@gatehouse/contracts';
import { withTraceContext, type UntrustedData } from '@gatehouse/kit';
import { formatConfigIssue } from '@gatehouse/schemas';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { certificateFromWanted } from '../core/resource-model.js';
import type { Certificate } from '../core/resources.js';
import { CertsError, CertsErrorCodes } from '../errors.js';

export interface WantedConsumerOptions {
  /** A connection for this worker alone (maxRetriesPerRequest: null); closed by close(). */
  readonly connection: Redis;
  readonly queueName: string;
  readonly prefix: string;
  /** Opens the sealed job data (GATEHOUSE_CONTROL_KEY). */
  readonly keyring: ControlKeyring;
  readonly untrusted?: UntrustedData;
  readonly onWanted: (certificate: Certificate) => Promise<void>;
}

/** Returns the worker and a close() that also drops the worker's own connection. */
export function startWantedConsumer(options: WantedConsumerOptions): { worker: Worker; close(): Promise<void> } {
  const connection = options.connection;
  const codec = sealedCodec(certificateWantedCodec, options.keyring, SealedUses.job(options.queueName));
  const worker = new Worker(
    options.queueName,
    async (job) => {
      let wanted;
      try {
        wanted = codec.fromJobData(job.data);
      } catch (err) {
        if (err instanceof SealedEnvelopeError) {
          options.untrusted?.report('job', `${options.queueName}/${job.id ?? ''}`, err);
          throw new UnrecoverableError(new CertsError(CertsErrorCodes.WANTED_UNDECODABLE, err.message).message);
        }
        if (err instanceof ContractDecodeError) throw new UnrecoverableError(new CertsError(CertsErrorCodes.WANTED_UNDECODABLE, err.message).message);
        throw err;
      }
      const { certificate, issues } = certificateFromWanted({
        namespace: wanted.namespace ?? '',
        name: wanted.name ?? '',
        secret_name: wanted.secret_name ?? '',
        dns_names: wanted.dns_names ?? [],
        issuer_ref: wanted.issuer_ref ? { name: wanted.issuer_ref.name ?? '', kind: wanted.issuer_ref.kind ?? '', group: wanted.issuer_ref.group ?? '' } : null,
        source: wanted.source ?? '',
      });
      // A bad request will not get better by retrying.
      if (!certificate) throw new UnrecoverableError(issues.map(formatConfigIssue).join('; '));
      // One trace from the Gateway change in xds through this job to the order and the fan-out.
      await withTraceContext(wanted.trace, 'certs.certificate_wanted', () => options.onWanted(certificate));
      return 'accepted';
    },
    { connection, prefix: options.prefix, concurrency: 4 },
  );
  return {
    worker,
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
  };
}

// The certs admin API, as a fastify plugin (mounted on the kit's admin server):
//   GET  /certificates                             every Certificate with a cert-manager-style status
//   POST /certificates/:namespace/:name/renew      forces a renewal
//   POST /certificates/:namespace/:name/revoke     revokes the current certificate (then renews)
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CertificateStatus } from '../core/status.js';
import type { Certificate } from '../core/resources.js';
import { CertsErrorCodes } from '../errors.js';

export interface CertificateAdmin {
  listStatuses(): Promise<{ namespace: string; name: string; spec: Certificate; status: CertificateStatus; certificateChainPem?: string }[]>;
  renewNow(id: string): Promise<boolean>;
  revoke(id: string): Promise<'revoked' | 'unknown' | 'not-issued'>;
}

export interface AdminRoutesOptions {
  readonly admin: CertificateAdmin;
  /** When set, POST routes need "Authorization: Bearer <token>" (the kit enforces ADMIN_TOKEN itself). */
  readonly adminToken?: string;
}

type Params = { namespace: string; name: string };

export async function certificateAdminRoutes(app: FastifyInstance, options: AdminRoutesOptions): Promise<void> {
  const authorize = async (request: FastifyRequest, reply: FastifyReply) => {
    if (options.adminToken && request.headers.authorization !== `Bearer ${options.adminToken}`) {
      await reply.code(401).send({ code: CertsErrorCodes.ADMIN_UNAUTHORIZED, message: 'missing or wrong admin token' });
    }
  };

  app.get('/certificates', async () => {
    const list = await options.admin.listStatuses();
    return {
      apiVersion: 'v1',
      kind: 'List',
      items: list.map((c) => ({
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { namespace: c.namespace, name: c.name },
        spec: {
          secretName: c.spec.secretName,
          dnsNames: c.spec.dnsNames,
          issuerRef: c.spec.issuerRef,
          privateKey: c.spec.privateKey,
        },
        status: c.status,
        source: c.spec.source,
        ...(c.certificateChainPem ? { certificateChainPem: c.certificateChainPem } : {}),
      })),
    };
  });

  app.post<{ Params: Params }>('/certificates/:namespace/:name/renew', { preHandler: authorize }, async (request, reply) => {
    const id = `${request.params.namespace}/${request.params.name}`;
    if (!(await options.admin.renewNow(id))) return reply.code(404).send({ code: CertsErrorCodes.CERTIFICATE_UNKNOWN, message: `no managed Certificate ${id} (or its issuer is missing)` });
    return reply.code(202).send({ status: 'renewal scheduled', certificate: id });
  });

  app.post<{ Params: Params }>('/certificates/:namespace/:name/revoke', { preHandler: authorize }, async (request, reply) => {
    const id = `${request.params.namespace}/${request.params.name}`;
    const result = await options.admin.revoke(id);
    if (result === 'unknown') return reply.code(404).send({ code: CertsErrorCodes.CERTIFICATE_UNKNOWN, message: `no managed Certificate ${id}` });
    if (result === 'not-issued') return reply.code(409).send({ code: CertsErrorCodes.CERTIFICATE_NOT_ISSUED, message: `${id} has no certificate to revoke` });
    return reply.code(200).send({ status: 'revoked; a new certificate is being ordered', certificate: id });
  });
}

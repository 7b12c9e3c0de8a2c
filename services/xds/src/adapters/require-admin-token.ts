// ADMIN_TOKEN on a read route. The kit's admin server asks for it on state-changing routes only;
// a read that shows what was applied (GET /resources) needs it as well, answered the kit's way.
import { isAdminTokenValid } from '@gatehouse/kit';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function requireAdminToken(adminToken: string | undefined): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    if (!adminToken) {
      await reply.code(403).send({ error: 'GH_ADMIN_DISABLED', message: 'this admin endpoint is disabled: ADMIN_TOKEN is not set' });
      return;
    }
    if (!isAdminTokenValid(request.headers.authorization, adminToken)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="gatehouse-admin"')
        .send({ error: 'GH_ADMIN_UNAUTHORIZED', message: 'a valid "Authorization: Bearer <ADMIN_TOKEN>" header is required' });
    }
  };
}

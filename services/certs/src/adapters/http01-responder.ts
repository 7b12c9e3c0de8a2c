// Answers GET /.well-known/acme-challenge/<token> on HTTP_PORT from Redis, so whichever replica
// Envoy routes the CA's request to gives the right key authorization.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { followRotation, mutualTlsServerOptions, type TlsFileWatcher } from '@gatehouse/kit';

const PATH = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]{1,256})$/;

export interface Http01Lookup {
  getHttp01(token: string): Promise<string | null>;
}

/**
 * With the service's TLS files the responder asks for a client certificate from the deployment CA, like every
 * internal port (Envoy presents its own); without them (GATEHOUSE_INSECURE_PLAINTEXT) it is plain HTTP.
 */
export function createHttp01Responder(store: Http01Lookup, onRequest?: (found: boolean) => void, tls?: TlsFileWatcher): Server {
  const handler = answer(store, onRequest);
  if (!tls) return createServer(handler);
  const server = createHttpsServer(mutualTlsServerOptions(tls.material), handler);
  const unfollow = followRotation(server, tls);
  server.once('close', unfollow);
  return server;
}

function answer(store: Http01Lookup, onRequest?: (found: boolean) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const match = req.method === 'GET' || req.method === 'HEAD' ? PATH.exec((req.url ?? '').split('?')[0] ?? '') : null;
    if (!match?.[1]) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    store.getHttp01(match[1]).then(
      (keyAuthorization) => {
        onRequest?.(keyAuthorization !== null);
        if (keyAuthorization === null) res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown token\n');
        else res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : keyAuthorization);
      },
      () => res.writeHead(503, { 'content-type': 'text/plain' }).end('store unavailable\n'),
    );
  };
}

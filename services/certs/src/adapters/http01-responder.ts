// Answers GET /.well-known/acme-challenge/<token> on HTTP_PORT from Redis, so whichever replica
// Envoy routes the CA's request to gives the right key authorization.
import { createServer, type Server } from 'node:http';

const PATH = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]{1,256})$/;

export interface Http01Lookup {
  getHttp01(token: string): Promise<string | null>;
}

export function createHttp01Responder(store: Http01Lookup, onRequest?: (found: boolean) => void): Server {
  return createServer((req, res) => {
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
  });
}

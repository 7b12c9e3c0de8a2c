// The demo upstream behind the example HTTPRoute: answers every request with what it received, as JSON,
// so a request through Envoy shows the path, the headers Envoy and the authorizer added, and which
// instance answered.
import { createServer } from 'node:http';
import { hostname } from 'node:os';

const port = Number(process.env.PORT ?? 8080);
const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify(
      {
        instance: hostname(),
        method: req.method,
        path: req.url,
        headers: req.headers,
        bodyBytes: Buffer.concat(chunks).length,
      },
      null,
      2,
    );
    res.writeHead(200, { 'content-type': 'application/json' }).end(`${body}\n`);
  });
});
server.listen(port, '0.0.0.0', () => console.log(`demo upstream listening on :${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

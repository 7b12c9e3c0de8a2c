// A stand-in for a built Gatehouse service: /readyz on ADMIN_PORT turns 200 after READY_AFTER_MS,
// it echoes its environment to stdout, and exits on SIGTERM. FAIL_AT_START=1 makes it crash.
import { createServer } from 'node:http';

if (process.env.FAIL_AT_START === '1') {
  console.error('fake service: refusing to start (FAIL_AT_START=1)');
  process.exit(3);
}
console.log(`fake service: GRPC_PORT=${process.env.GRPC_PORT} BIND_HOST=${process.env.BIND_HOST} GREETING=${process.env.GREETING}`);
const readyAt = Date.now() + Number(process.env.READY_AFTER_MS ?? 0);
const server = createServer((req, res) => {
  if (req.url === '/readyz') res.writeHead(Date.now() >= readyAt ? 200 : 503).end();
  else res.writeHead(404).end();
});
server.listen(Number(process.env.ADMIN_PORT), process.env.BIND_HOST);
process.on('SIGTERM', () => {
  console.log('fake service: SIGTERM, shutting down');
  server.close(() => process.exit(0));
});

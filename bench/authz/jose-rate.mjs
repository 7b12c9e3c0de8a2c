// Raw jose jwtVerify rate on distinct tokens, in its own process (the same single core a server gets).
//   node jose-rate.mjs <ES256|RS256> <seconds>   -> prints verifications per second
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const jose = await import(pathToFileURL(createRequire(join(here, '../../services/authz/package.json')).resolve('jose')).href);
const [alg, seconds] = [process.argv[2], Number(process.argv[3])];
const { privateKey, publicKey } = await jose.generateKeyPair(alg);
const tokens = await Promise.all(
  Array.from({ length: 2000 }, (_, i) =>
    new jose.SignJWT({ sub: `user-${i}` }).setProtectedHeader({ alg }).setIssuer('https://bench.example').setAudience('bench').setExpirationTime('2h').sign(privateKey),
  ),
);
const deadline = Date.now() + seconds * 1000;
let n = 0;
while (Date.now() < deadline) {
  await jose.jwtVerify(tokens[n % tokens.length], publicKey, { issuer: 'https://bench.example', audience: 'bench', algorithms: [alg] });
  n++;
}
console.log(n / seconds);

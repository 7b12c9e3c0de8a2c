// Bundles the console into dist/assets (index.html, console.js, console.css): what xds serves at /console/.
// One script and one stylesheet, no inline code (xds serves them under a strict Content-Security-Policy).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const out = new URL('./dist/assets/', import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [new URL('./src/main.tsx', import.meta.url).pathname],
  outfile: new URL('console.js', out).pathname,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of ['index.html', 'console.css', 'favicon.svg']) copyFileSync(new URL(`./static/${file}`, import.meta.url), new URL(file, out));

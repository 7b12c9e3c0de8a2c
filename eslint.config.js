// Lints every TypeScript source; type-checking itself is `tsc -b` (see the lint script).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A service's core/ is pure logic: everything that touches the network, the disk or a process lives in
// adapters/. These are the modules that would break that.
const IO_MODULES = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'dns/promises', 'child_process', 'tls', 'worker_threads', 'cluster'];
const ioImports = [
  ...IO_MODULES.flatMap((m) => [`node:${m}`, m]).map((name) => ({ name, message: 'core/ has no I/O: put it in adapters/ and pass the result in' })),
];
const ioPackages = ['ioredis', '@grpc/*', 'bullmq', 'fastify', 'acme-client', 'undici', 'pino'];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/contracts/src/generated/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'prefer-const': 'warn',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['services/*/src/core/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioImports, patterns: [{ group: ioPackages, message: 'core/ has no I/O: put it in adapters/ and pass the result in' }] }],
    },
  },
);

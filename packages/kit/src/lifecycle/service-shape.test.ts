// Every service built on the kit has the same files in the same places, and its README says so first
// thing in its code map: a newcomer who knows one service knows where everything is in the others.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const servicesDir = join(import.meta.dirname, '..', '..', '..', '..', 'services');
const services = readdirSync(servicesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(servicesDir, e.name, 'src', 'main.ts')))
  .map((e) => e.name);

/** The statements of a file: no comments, no imports, no blank lines. */
const statements = (text: string): string[] =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((l) => l.replace(/^\s*\/\/.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('import '));

describe('the service shape', () => {
  it('covers the four services', () => {
    expect(services.sort()).toEqual(['authz', 'certs', 'ratelimit', 'xds']);
  });

  describe.each(services)('%s', (name) => {
    const src = join(servicesDir, name, 'src');

    it('has main.ts (one line), service.ts, config.ts, errors.ts with its test, core/ and adapters/', () => {
      expect(statements(readFileSync(join(src, 'main.ts'), 'utf8'))).toEqual([expect.stringMatching(/^await runService\(\w+Service\);$/)]);
      for (const file of ['service.ts', 'config.ts', 'errors.ts', 'errors.test.ts']) expect(existsSync(join(src, file)), file).toBe(true);
      for (const dir of ['core', 'adapters']) expect(existsSync(join(src, dir)), dir).toBe(true);
      // service.ts exports the kit's service definition and nothing else.
      const exported = [...readFileSync(join(src, 'service.ts'), 'utf8').matchAll(/^export\s+(?:async\s+)?(?:const|function|class|let)\s+(\w+)/gm)].map((m) => m[1]);
      expect(exported).toEqual([expect.stringMatching(/Service$/)]);
    });

    it('opens its README with the code map, which names the shared layout', () => {
      const readme = readFileSync(join(servicesDir, name, 'README.md'), 'utf8');
      expect(/^## (.+)$/m.exec(readme)?.[1]).toBe('Code map');
      const codeMap = readme.split(/^## /m).find((s) => s.startsWith('Code map'))!;
      expect(codeMap).toContain('Every service has the same files in the same places');
      for (const part of ['src/main.ts', 'src/service.ts', 'src/config.ts', 'src/errors.ts', 'src/core/', 'src/adapters/']) expect(codeMap, part).toContain(part);
    });
  });
});

// One house: the four services have the same files in the same places, and each README says where they
// are. A newcomer who has read one service can find their way in the other three.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../service.js';

const SERVICES = ['xds', 'authz', 'ratelimit', 'certs'] as const;

describe.each(SERVICES)('services/%s has the house shape', (name) => {
  const dir = join(repoRoot, 'services', name);
  const read = (path: string) => readFileSync(join(dir, path), 'utf8');

  it('main.ts is one line that runs the service definition', () => {
    const code = read('src/main.ts')
      .split('\n')
      .filter((line) => line.trim() && !line.trim().startsWith('//') && !line.startsWith('import '));
    expect(code).toHaveLength(1);
    expect(code[0]).toMatch(/^await runService\(\w+Service\);$/);
  });

  it('has service.ts (its ServiceDefinition), config.ts, errors.ts, core/ and adapters/', () => {
    for (const path of ['src/service.ts', 'src/config.ts', 'src/errors.ts', 'src/core', 'src/adapters']) expect(existsSync(join(dir, path)), path).toBe(true);
    expect(read('src/service.ts')).toMatch(/export const \w+Service: ServiceDefinition</);
  });

  it('its README has the code map as its second section, naming service.ts, config.ts and errors.ts', () => {
    const sections = [...read('README.md').matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections[0]).toBe('Code map');
    const map = read('README.md').split(/^## /m)[1]!;
    for (const file of ['service.ts', 'config.ts', 'errors.ts', 'core/', 'adapters/']) expect(map, file).toContain(file);
  });
});

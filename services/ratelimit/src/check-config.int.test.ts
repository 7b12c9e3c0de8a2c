import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = new URL('../dist/check-config.js', import.meta.url).pathname;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-rl-check-'));
  writeFileSync(join(dir, 'good.yaml'), 'domain: d\ndescriptors:\n  - key: k\n    rate_limit: { unit: minute, requests_per_unit: 5 }\n');
  writeFileSync(join(dir, 'bad.yml'), 'domain: e\ndescriptors:\n  - key: k\n    rate_limit: { unit: eon, requests_per_unit: 5 }\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

describe('check-config', () => {
  it('accepts a valid file and prints its rules', () => {
    const result = run(join(dir, 'good.yaml'));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('d.k: unit=MINUTE requests_per_unit=5');
  });

  it('rejects a directory with a bad file, naming file, line and path', () => {
    const result = run(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'bad.yml')}:4: e.k: GH_RATELIMIT_CONFIG_BAD_UNIT: invalid rate limit unit 'eon'`);
  });

  it('reads subdirectories, as the service does', () => {
    const tree = mkdtempSync(join(tmpdir(), 'gatehouse-rl-check-tree-'));
    try {
      mkdirSync(join(tree, 'team'));
      writeFileSync(join(tree, 'team', 'nested.yaml'), 'domain: n\ndescriptors:\n  - key: k\n    rate_limit: { unit: hour, requests_per_unit: 2 }\n');
      const result = run(tree);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('n.k: unit=HOUR requests_per_unit=2');
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  it('names a path it cannot read', () => {
    const result = run(join(dir, 'missing'));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^GH_RATELIMIT_CONFIG_READ: /);
  });

  it('explains its usage', () => {
    expect(run().status).toBe(2);
  });
});

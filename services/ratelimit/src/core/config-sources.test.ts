import { describe, expect, it } from 'vitest';
import { parseDomainConfig } from './config-parser.js';
import { MergedConfig } from './config-sources.js';

const domain = (name: string, limit: number, source: string) =>
  parseDomainConfig(`domain: ${name}\ndescriptors:\n  - key: k\n    rate_limit: { unit: second, requests_per_unit: ${limit} }\n`, source);

describe('MergedConfig', () => {
  it('merges domains from every source, the first source in precedence winning a clash', () => {
    const merged = new MergedConfig(['files', 'redis']);
    merged.update('redis', [domain('shared', 1, 'redis:xds'), domain('pushed', 2, 'redis:xds')]);
    merged.update('files', [domain('shared', 3, 'shared.yaml')]);
    const config = merged.config;
    expect(config.matcher('shared')!.config.source).toBe('shared.yaml');
    expect(config.matcher('pushed')!.config.source).toBe('redis:xds');
  });

  it('drops a pushed domain when a new publication no longer has it', () => {
    const merged = new MergedConfig(['files', 'redis']);
    merged.update('redis', [domain('a', 1, 'redis:x')]);
    merged.update('redis', []);
    expect(merged.config.matcher('a')).toBeUndefined();
  });
});

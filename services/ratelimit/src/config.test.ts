import { loadConfig } from '@gatehouse/kit';
import { TEST_CONTROL_KEY } from '@gatehouse/kit/testing';
import { describe, expect, it } from 'vitest';
import { localCacheMaxKeys, rateLimitEnv } from './config.js';

/** Every service requires the control key; these tests are about the other variables. */
const withControlKey = (environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv => ({ GATEHOUSE_CONTROL_KEY: TEST_CONTROL_KEY, ...environment });

describe('ratelimit environment', () => {
  it('uses the reference names and defaults', () => {
    const env = loadConfig(rateLimitEnv, withControlKey({}));
    expect(env).toMatchObject({ NEAR_LIMIT_RATIO: 0.8, EXPIRATION_JITTER_MAX_SECONDS: 300, RATELIMIT_FAILURE_MODE: 'allow', RATELIMIT_REDIS_TIMEOUT_MS: 10 });
    expect(localCacheMaxKeys(env)).toBe(100_000);
  });

  it('sizes the local cache from the reference byte budget unless a key count is given', () => {
    expect(localCacheMaxKeys(loadConfig(rateLimitEnv, withControlKey({ LOCAL_CACHE_SIZE_IN_BYTES: '0' })))).toBe(0);
    expect(localCacheMaxKeys(loadConfig(rateLimitEnv, withControlKey({ LOCAL_CACHE_SIZE_IN_BYTES: '1000000' })))).toBe(10_000);
    expect(localCacheMaxKeys(loadConfig(rateLimitEnv, withControlKey({ LOCAL_CACHE_SIZE_IN_BYTES: '0', RATELIMIT_LOCAL_CACHE_MAX_KEYS: '5' })))).toBe(5);
  });

  it('rejects bad values naming the variable', () => {
    expect(() => loadConfig(rateLimitEnv, withControlKey({ NEAR_LIMIT_RATIO: '2' }))).toThrow(/NEAR_LIMIT_RATIO/);
    expect(() => loadConfig(rateLimitEnv, withControlKey({ RATELIMIT_FAILURE_MODE: 'maybe' }))).toThrow(/RATELIMIT_FAILURE_MODE/);
    expect(() => loadConfig(rateLimitEnv, withControlKey({ LOCAL_CACHE_SIZE_IN_BYTES: '-1' }))).toThrow(/LOCAL_CACHE_SIZE_IN_BYTES/);
  });
});

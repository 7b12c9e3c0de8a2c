import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { describeRedisPlan, parseRedisUrl } from './redis-url.js';

describe('parseRedisUrl', () => {
  it('parses standalone URLs with auth, db and TLS', () => {
    expect(parseRedisUrl('redis://localhost')).toEqual({ mode: 'standalone', host: 'localhost', port: 6379, db: 0, tls: false });
    expect(parseRedisUrl('rediss://user:p%40ss@cache:6380/2')).toEqual({
      mode: 'standalone', host: 'cache', port: 6380, db: 2, tls: true, username: 'user', password: 'p@ss',
    });
    expect(parseRedisUrl('redis://:secret@[::1]:7000')).toMatchObject({ host: '::1', port: 7000, password: 'secret' });
  });

  it('parses sentinel URLs with the master name as path', () => {
    expect(parseRedisUrl('redis+sentinel://s1,s2:26380/mymaster/1')).toEqual({
      mode: 'sentinel', sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26380 }], masterName: 'mymaster', db: 1, tls: false,
    });
  });

  it('parses cluster seed nodes', () => {
    expect(parseRedisUrl('redis+cluster://a:7000,b:7001')).toEqual({ mode: 'cluster', nodes: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }], tls: false });
  });

  it.each(['http://x', 'redis://', 'redis://a,b', 'redis+sentinel://s1', 'redis://h:99999', 'redis://h/db'])('rejects %s', (url) => {
    expect(() => parseRedisUrl(url)).toThrow(ConfigError);
  });

  it('never prints the password', () => {
    expect(describeRedisPlan(parseRedisUrl('redis://:hunter2@h:1'))).toBe('standalone h:1');
  });
});

import { describe, expect, it } from 'vitest';
import { MissingBinaryError, requireBinary } from './binaries.js';

describe('requireBinary', () => {
  it('names the Debian package to install when a binary is missing', () => {
    expect(() => requireBinary('pebble-challtestsrv', '/nonexistent')).toThrow(/apt-get install -y pebble$/);
    expect(() => requireBinary('h2load', '/nonexistent')).toThrow(/apt-get install -y nghttp2-client$/);
    expect(() => requireBinary('redis-server', '')).toThrowError(MissingBinaryError);
  });

  it('returns the absolute path of a binary on PATH', () => {
    expect(requireBinary('node')).toMatch(/\/node$/);
  });
});

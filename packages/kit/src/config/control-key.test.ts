import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { controlKeyEnv, controlKeyringOf } from './control-key.js';
import { loadConfig } from './env-spec.js';

const load = (environment: NodeJS.ProcessEnv) => loadConfig(controlKeyEnv(), environment);

describe('GATEHOUSE_CONTROL_KEY', () => {
  it('is required, and the error names it', () => {
    expect(() => load({})).toThrow(/^invalid GATEHOUSE_CONTROL_KEY: is required but not set/);
  });

  it('takes 32 bytes as hex or base64url, directly or from GATEHOUSE_CONTROL_KEY_FILE', async () => {
    const key = randomBytes(32);
    expect(load({ GATEHOUSE_CONTROL_KEY: key.toString('hex') }).GATEHOUSE_CONTROL_KEY).toEqual(key);
    expect(load({ GATEHOUSE_CONTROL_KEY: key.toString('base64url') }).GATEHOUSE_CONTROL_KEY).toEqual(key);
    const dir = await mkdtemp(join(tmpdir(), 'control-key-'));
    try {
      await writeFile(join(dir, 'control-key'), `${key.toString('hex')}\n`);
      expect(load({ GATEHOUSE_CONTROL_KEY_FILE: join(dir, 'control-key') }).GATEHOUSE_CONTROL_KEY).toEqual(key);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a key of the wrong size, naming the variable', () => {
    expect(() => load({ GATEHOUSE_CONTROL_KEY: randomBytes(16).toString('hex') })).toThrow(/^invalid GATEHOUSE_CONTROL_KEY: .*32 random bytes/);
    expect(() => load({ GATEHOUSE_CONTROL_KEY: randomBytes(32).toString('hex'), GATEHOUSE_CONTROL_KEY_PREVIOUS: 'short' })).toThrow(/^invalid GATEHOUSE_CONTROL_KEY_PREVIOUS:/);
  });

  it('refuses the placeholder published in the k8s manifest, like the other secrets', () => {
    expect(() => load({ GATEHOUSE_CONTROL_KEY: 'change-me-to-64-hex-characters' })).toThrow(/^invalid GATEHOUSE_CONTROL_KEY: is a published demo value/);
  });

  it('builds a keyring that seals with the current key and knows the previous one', () => {
    const current = randomBytes(32);
    const previous = randomBytes(32);
    const ring = controlKeyringOf(load({ GATEHOUSE_CONTROL_KEY: current.toString('hex'), GATEHOUSE_CONTROL_KEY_PREVIOUS: previous.toString('hex') }));
    expect(ring.current.key).toEqual(current);
    expect(ring.previous?.key).toEqual(previous);
    expect(controlKeyringOf(load({ GATEHOUSE_CONTROL_KEY: current.toString('hex') })).previous).toBeUndefined();
  });
});

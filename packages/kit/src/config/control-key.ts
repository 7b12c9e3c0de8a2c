// GATEHOUSE_CONTROL_KEY: the one deployment key that is never in Redis. Every service declares it
// (spread `controlKeyEnv()` into its env specs) and seals or opens whatever it exchanges through Redis
// with subkeys of it (@gatehouse/contracts sealed-envelope.ts). GATEHOUSE_CONTROL_KEY_PREVIOUS is still
// accepted for opening while a new key is rolled out to every replica. Both may come from `<NAME>_FILE`,
// and a published demo value is refused like every other secret (secret-files.ts).
import { controlKeyring, parseControlKey, type ControlKeyring } from '@gatehouse/contracts';
import { ConfigError } from './config-error.js';
import type { EnvSpec } from './env-spec.js';

function keySpec(required: boolean): EnvSpec<Buffer | undefined> {
  return {
    description: required
      ? '32 random bytes (64 hex chars or base64url; GATEHOUSE_CONTROL_KEY_FILE from a secrets volume): authenticates and encrypts what crosses Redis; the same on every service'
      : 'the previous control key, still accepted for opening while GATEHOUSE_CONTROL_KEY is rotated',
    parse(raw, name) {
      if (raw === undefined || raw === '') {
        if (!required) return undefined;
        throw new ConfigError(name, 'is required but not set: every service needs the deployment\'s control key (create one with: openssl rand -hex 32) so that nothing in Redis can be forged');
      }
      try {
        return parseControlKey(raw, name);
      } catch (err) {
        throw new ConfigError(name, (err instanceof Error ? err.message : String(err)).replace(/^[A-Z_]+: /, ''));
      }
    },
  };
}

/** The env specs a service spreads into its own: `env: { ...controlKeyEnv(), ... }`. */
export function controlKeyEnv() {
  return {
    GATEHOUSE_CONTROL_KEY: keySpec(true) as EnvSpec<Buffer>,
    GATEHOUSE_CONTROL_KEY_PREVIOUS: keySpec(false),
  };
}

export interface ControlKeyConfig {
  readonly GATEHOUSE_CONTROL_KEY: Buffer;
  readonly GATEHOUSE_CONTROL_KEY_PREVIOUS: Buffer | undefined;
}

/** The keyring of a loaded config: seals with the current key, opens with either. */
export function controlKeyringOf(config: ControlKeyConfig): ControlKeyring {
  return controlKeyring(config.GATEHOUSE_CONTROL_KEY, config.GATEHOUSE_CONTROL_KEY_PREVIOUS);
}

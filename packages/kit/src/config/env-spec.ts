// Declarative environment-variable specs. Each spec turns the raw string (or its absence) into a typed
// value or throws a ConfigError naming the variable.
import { parseEncryptionKey } from '@gatehouse/contracts';
import { ConfigError } from './config-error.js';
import { rawValue, refusePublishedSecret } from './secret-files.js';

export interface EnvSpec<T> {
  readonly description: string;
  parse(raw: string | undefined, name: string): T;
}

interface Common<T> {
  default?: T;
  description?: string;
}

function required<T>(raw: string | undefined, name: string, fallback: T | undefined): string | T {
  if (raw !== undefined && raw !== '') return raw;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(name, 'is required but not set');
}

function string(options: Common<string> = {}): EnvSpec<string> {
  return { description: options.description ?? '', parse: (raw, name) => String(required(raw, name, options.default)) };
}

function optionalString(options: { description?: string } = {}): EnvSpec<string | undefined> {
  return { description: options.description ?? '', parse: (raw) => (raw === undefined || raw === '' ? undefined : raw) };
}

function int(options: Common<number> & { min?: number; max?: number } = {}): EnvSpec<number> {
  return {
    description: options.description ?? '',
    parse(raw, name) {
      const value = required(raw, name, options.default);
      if (typeof value === 'number') return value;
      if (!/^-?\d+$/.test(value.trim())) throw new ConfigError(name, `"${value}" is not an integer`);
      const n = Number(value);
      if (options.min !== undefined && n < options.min) throw new ConfigError(name, `${n} is below the minimum ${options.min}`);
      if (options.max !== undefined && n > options.max) throw new ConfigError(name, `${n} is above the maximum ${options.max}`);
      return n;
    },
  };
}

function port(options: Common<number> = {}): EnvSpec<number> {
  // 0 asks the OS for a free port (tests use it).
  return int({ ...options, min: 0, max: 65535 });
}

function bool(options: Common<boolean> = {}): EnvSpec<boolean> {
  return {
    description: options.description ?? '',
    parse(raw, name) {
      const value = required(raw, name, options.default);
      if (typeof value === 'boolean') return value;
      if (/^(true|1|yes)$/i.test(value)) return true;
      if (/^(false|0|no)$/i.test(value)) return false;
      throw new ConfigError(name, `"${value}" is not a boolean (true/false)`);
    },
  };
}

function oneOf<const T extends string>(values: readonly T[], options: Common<T> = {}): EnvSpec<T> {
  return {
    description: options.description ?? '',
    parse(raw, name) {
      const value = required(raw, name, options.default);
      if ((values as readonly string[]).includes(value)) return value as T;
      throw new ConfigError(name, `"${value}" must be one of ${values.join(', ')}`);
    },
  };
}

function url(options: Common<string> & { protocols: readonly string[] }): EnvSpec<string> {
  return {
    description: options.description ?? '',
    parse(raw, name) {
      const value = String(required(raw, name, options.default));
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        throw new ConfigError(name, `"${value}" is not a URL`);
      }
      if (!options.protocols.includes(parsed.protocol.replace(/:$/, ''))) {
        throw new ConfigError(name, `"${parsed.protocol}" is not one of ${options.protocols.map((p) => `${p}://`).join(', ')}`);
      }
      return value;
    },
  };
}

/** A 32-byte AES-256-GCM key (base64 or 64 hex characters), or undefined when unset. */
function encryptionKey(options: { description?: string } = {}): EnvSpec<Buffer | undefined> {
  return {
    description: options.description ?? '32 bytes (base64 or 64 hex characters): AES-256-GCM key for private keys at rest',
    parse(raw, name) {
      if (raw === undefined || raw === '') return undefined;
      try {
        return parseEncryptionKey(raw);
      } catch (err) {
        // The envelope's own message starts with its code; the variable name is the useful prefix here.
        throw new ConfigError(name, (err instanceof Error ? err.message : String(err)).replace(/^[A-Z_]+: /, ''));
      }
    },
  };
}

/** Builders for environment-variable specs, e.g. `env.int({ default: 10, min: 1 })`. */
export const env = { string, optionalString, int, port, bool, oneOf, url, encryptionKey };

export type EnvSpecs = Record<string, EnvSpec<unknown>>;
export type ConfigOf<S extends EnvSpecs> = { [K in keyof S]: S[K] extends EnvSpec<infer T> ? T : never };

/**
 * Parses every spec; the first bad variable throws a ConfigError. A variable may come from the file its
 * `<NAME>_FILE` names (Docker and Kubernetes secrets), and a secret set to a demo value published in
 * the deploy files is refused.
 */
export function loadConfig<S extends EnvSpecs>(specs: S, environment: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const raw = rawValue(name, environment);
    refusePublishedSecret(name, raw, environment);
    out[name] = spec.parse(raw, name);
  }
  return out as ConfigOf<S>;
}

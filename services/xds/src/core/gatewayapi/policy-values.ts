// Reading policy values the way Envoy will need them: durations that must be positive, percentages
// in range. A value Envoy's proto rules would refuse (and NACK the whole route configuration or
// cluster set for) becomes a problem of the policy, reported before anything is served.
import { parseDurationMs } from './durations.js';

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** A Kubernetes quantity ("64Ki", "1Mi", "32768") in bytes, or undefined when it is not one. */
export function parseQuantity(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined;
  const match = /^(\d+)(k|M|G|Ki|Mi|Gi)?$/.exec(value);
  return match ? Number(match[1]) * SUFFIX[match[2] ?? '']! : undefined;
}

export class PolicyValues {
  constructor(readonly problems: string[]) {}

  /** A duration in ms; `positive` for fields Envoy requires to be greater than zero. */
  duration(text: unknown, path: string, positive = true): number | undefined {
    if (text === undefined || text === null) return undefined;
    const ms = typeof text === 'string' ? parseDurationMs(text) : undefined;
    if (ms === undefined) this.problems.push(`${path}: "${String(text)}" is not a duration`);
    else if (positive && ms === 0) this.problems.push(`${path}: must be greater than 0s`);
    else return ms;
    return undefined;
  }

  /** A percentage from 0 to 100. */
  percent(value: unknown, path: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !(value >= 0 && value <= 100)) {
      this.problems.push(`${path}: ${String(value)} is not a percentage from 0 to 100`);
      return undefined;
    }
    return value;
  }

  /** A byte quantity ("64Ki", 1024) up to `max`. */
  bytes(value: unknown, path: string, max = 4_294_967_295): number | undefined {
    if (value === undefined || value === null) return undefined;
    const bytes = typeof value === 'string' || typeof value === 'number' ? parseQuantity(value) : undefined;
    if (bytes === undefined || bytes > max) {
      this.problems.push(`${path}: "${String(value)}" is not a byte quantity up to ${max}`);
      return undefined;
    }
    return bytes;
  }

  /** A duration in whole seconds (Envoy's TCP keepalive fields count seconds). */
  seconds(text: unknown, path: string): number | undefined {
    const ms = this.duration(text, path);
    if (ms === undefined) return undefined;
    if (ms % 1000 !== 0) {
      this.problems.push(`${path}: "${String(text)}" must be whole seconds`);
      return undefined;
    }
    return ms / 1000;
  }

  /** A whole number in range (CRD minimums are enforced by the schema; this guards Envoy's). */
  integer(value: unknown, path: string, min = 0, max = 4_294_967_295): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${path}: ${String(value)} must be a whole number from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }
}

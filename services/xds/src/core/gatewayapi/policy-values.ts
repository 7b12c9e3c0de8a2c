// Reading policy values the way Envoy will need them: durations that must be positive, percentages
// in range. A value Envoy's proto rules would refuse (and NACK the whole route configuration or
// cluster set for) becomes a problem of the policy, reported before anything is served.
import { parseDurationMs } from './durations.js';

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

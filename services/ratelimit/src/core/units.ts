// Time units of the reference config format and their window length in seconds. Month and year are
// fixed-length (30 and 365 days) exactly as envoyproxy/ratelimit divides time, so window starts, and
// therefore Redis keys, line up with the reference during a migration.
export const UNIT_SECONDS = {
  second: 1,
  minute: 60,
  hour: 3_600,
  day: 86_400,
  week: 604_800,
  month: 2_592_000,
  year: 31_536_000,
} as const;

export type Unit = keyof typeof UNIT_SECONDS;

/** Protobuf enum names used by RateLimitResponse.RateLimit.Unit (WEEK is 7 in current Envoy APIs). */
export type UnitEnumName = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'YEAR';

export function parseUnit(text: string): Unit | undefined {
  const lower = text.toLowerCase();
  return Object.hasOwn(UNIT_SECONDS, lower) ? (lower as Unit) : undefined;
}

const ENUM_NAMES: Record<Unit, UnitEnumName> = {
  second: 'SECOND',
  minute: 'MINUTE',
  hour: 'HOUR',
  day: 'DAY',
  week: 'WEEK',
  month: 'MONTH',
  year: 'YEAR',
};

export function unitEnumName(unit: Unit): UnitEnumName {
  return ENUM_NAMES[unit];
}

/** Maps the envoy.type.v3.RateLimitUnit / response enum (name or number) of a request override. */
export function unitFromEnum(value: string | number | undefined): Unit | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return UNIT_BY_ENUM_NUMBER[value];
  return parseUnit(value);
}

const UNIT_BY_ENUM_NUMBER: Record<number, Unit> = { 1: 'second', 2: 'minute', 3: 'hour', 4: 'day', 5: 'month', 6: 'year', 7: 'week' };

// clientIPGeoLocations: what a looked-up client address is (GeoRecord), which MaxMind database each
// field needs, and the match of a rule's entries against a record, in three values. Envoy Gateway
// matches the headers Envoy's geoip filter (MaxMind provider) sets: per entry every field given must
// match (country, region, city and ISP ignoring case, ASN exactly, anonymity flags), any entry may.
// A field whose database this service has not loaded is unknown, never a guess: true OR unknown is
// true and false AND unknown is false (the answer does not depend on the missing data); a rule whose
// answer stays unknown is undecidable and the request is denied (evaluate-authorization).

/** The database kinds, one AUTHZ_GEOIP_*_DB each. */
export const GEO_DATABASES = ['city', 'asn', 'isp', 'anonymousIp'] as const;
export type GeoDatabase = (typeof GEO_DATABASES)[number];

export interface GeoAnonymity {
  readonly isAnonymous: boolean;
  readonly isVPN: boolean;
  readonly isHosting: boolean;
  readonly isTor: boolean;
  readonly isProxy: boolean;
}

/** What the loaded databases say about one address; a field is absent when no database has it. */
export interface GeoRecord {
  /** ISO 3166-1 alpha-2 (City database `country.iso_code`). */
  readonly country?: string;
  /** The first subdivision's ISO code (`subdivisions[0].iso_code`), as Envoy reads it. */
  readonly region?: string;
  /** `city.names.en`. */
  readonly city?: string;
  /** `autonomous_system_number` (ASN database, else the ISP database). */
  readonly asn?: number;
  /** `isp` (ISP database). */
  readonly isp?: string;
  /** Anonymous-IP database: an address it does not list is not anonymous (every flag false). */
  readonly anonymous?: GeoAnonymity;
}

/** Port to the databases (adapters/geoip-databases); the core never reads files. */
export interface GeoLookup {
  /** Kinds whose database is loaded. */
  readonly available: ReadonlySet<GeoDatabase>;
  lookup(ip: string): GeoRecord;
}

/** No database at all: every geo field is unknown. */
export const NO_GEO: GeoLookup = { available: new Set(), lookup: () => ({}) };

/** One clientIPGeoLocations entry, compiled: every given field must match. */
export interface GeoLocationMatch {
  /** Upper-cased. */
  readonly country?: string;
  /** Upper-cased. */
  readonly region?: string;
  /** Lower-cased (compared ignoring case, as Envoy Gateway's header matchers do). */
  readonly city?: string;
  readonly asn?: number;
  /** Lower-cased. */
  readonly isp?: string;
  readonly anonymous?: Partial<GeoAnonymity>;
}

export type Tristate = boolean | 'unknown';

/** The databases an entry's fields are read from (ASN: either the ASN or the ISP database). */
export function databasesFor(match: GeoLocationMatch): GeoDatabase[] {
  const needed: GeoDatabase[] = [];
  if (match.country !== undefined || match.region !== undefined || match.city !== undefined) needed.push('city');
  if (match.asn !== undefined) needed.push('asn');
  if (match.isp !== undefined) needed.push('isp');
  if (match.anonymous !== undefined) needed.push('anonymousIp');
  return needed;
}

/** Whether the loaded databases can answer this kind ("asn" is answered by an ISP database too). */
export function canAnswer(available: ReadonlySet<GeoDatabase>, database: GeoDatabase): boolean {
  return available.has(database) || (database === 'asn' && available.has('isp'));
}

/** Any entry matches (OR), each entry needs all its fields (AND); unknown where a database is missing. */
export function matchGeoLocations(matches: readonly GeoLocationMatch[], record: () => GeoRecord, available: ReadonlySet<GeoDatabase>): Tristate {
  let result: Tristate = false;
  for (const match of matches) {
    const entry = matchEntry(match, record, available);
    if (entry === true) return true;
    if (entry === 'unknown') result = 'unknown';
  }
  return result;
}

function matchEntry(match: GeoLocationMatch, record: () => GeoRecord, available: ReadonlySet<GeoDatabase>): Tristate {
  let unknown = false;
  const field = (database: GeoDatabase, test: (r: GeoRecord) => boolean): boolean => {
    if (!canAnswer(available, database)) {
      unknown = true;
      return true;
    }
    return test(record());
  };
  const ok =
    (match.country === undefined || field('city', (r) => r.country?.toUpperCase() === match.country)) &&
    (match.region === undefined || field('city', (r) => r.region?.toUpperCase() === match.region)) &&
    (match.city === undefined || field('city', (r) => r.city?.toLowerCase() === match.city)) &&
    (match.asn === undefined || field('asn', (r) => r.asn === match.asn)) &&
    (match.isp === undefined || field('isp', (r) => r.isp?.toLowerCase() === match.isp)) &&
    (match.anonymous === undefined || field('anonymousIp', (r) => anonymityMatches(match.anonymous!, r.anonymous)));
  if (!ok) return false;
  return unknown ? 'unknown' : true;
}

function anonymityMatches(wanted: Partial<GeoAnonymity>, found: GeoAnonymity | undefined): boolean {
  if (!found) return false;
  for (const flag of ['isAnonymous', 'isVPN', 'isHosting', 'isTor', 'isProxy'] as const) {
    if (wanted[flag] !== undefined && wanted[flag] !== found[flag]) return false;
  }
  return true;
}

/** Every database kind a policy's rules read (for /status and the missing-database gauge). */
export function databasesNeeded(rules: readonly { readonly geoLocations: readonly GeoLocationMatch[] }[]): GeoDatabase[] {
  const needed = new Set(rules.flatMap((rule) => rule.geoLocations.flatMap(databasesFor)));
  return GEO_DATABASES.filter((database) => needed.has(database));
}

/** The kinds among `needed` the loaded databases cannot answer. */
export function missingDatabases(needed: readonly GeoDatabase[], available: ReadonlySet<GeoDatabase>): GeoDatabase[] {
  return needed.filter((database) => !canAnswer(available, database));
}

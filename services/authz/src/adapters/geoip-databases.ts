// The MaxMind DB files clientIPGeoLocations rules read (AUTHZ_GEOIP_{CITY,ASN,ISP,ANONYMOUS_IP}_DB),
// through mmdb-lib, as the core's GeoLookup port: the fields Envoy's MaxMind provider reads (country
// and first subdivision ISO codes, English city name, ASN, ISP, anonymity flags). A file that does not
// open, or is not the kind its variable names, is a config error at start (exit 2). Each file is
// watched by polling its stat (an in-place write, a rename over it and a ConfigMap's symlink swap all
// change it) and reloaded; a reload that fails keeps the database already loaded.
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { ConfigError } from '@gatehouse/kit';
import { Reader, type AnonymousIPResponse, type AsnResponse, type CityResponse, type IspResponse } from 'mmdb-lib';
import type { GeoAnonymity, GeoDatabase, GeoLookup, GeoRecord } from '../core/decide/geo.js';

export interface GeoDatabaseFile {
  readonly kind: GeoDatabase;
  /** The variable that named it, for config errors. */
  readonly variable: string;
  readonly path: string;
}

export interface LoadedGeoDatabase {
  readonly kind: GeoDatabase;
  readonly variable: string;
  readonly path: string;
  readonly databaseType: string;
  readonly buildEpoch: string;
  readonly loadedAt: string;
}

export interface GeoIpDatabasesOptions {
  /** Stat polling interval (default 30 s): geo databases change weekly at most. */
  readonly pollIntervalMs?: number;
  readonly onReload?: (database: LoadedGeoDatabase) => void;
  readonly onReloadError?: (file: GeoDatabaseFile, error: unknown) => void;
}

/** What each variable must hold: MaxMind's (and DB-IP's compatible) `database_type` names. */
const EXPECTED_TYPE: Record<GeoDatabase, { readonly pattern: RegExp; readonly example: string }> = {
  city: { pattern: /city|enterprise/i, example: 'GeoLite2-City, GeoIP2-City, DBIP-City-Lite' },
  asn: { pattern: /asn|isp/i, example: 'GeoLite2-ASN, DBIP-ASN-Lite, GeoIP2-ISP' },
  isp: { pattern: /isp/i, example: 'GeoIP2-ISP' },
  anonymousIp: { pattern: /anonymous/i, example: 'GeoIP2-Anonymous-IP' },
};

type AnyResponse = CityResponse & AsnResponse & Partial<IspResponse> & AnonymousIPResponse;

interface Open {
  readonly file: GeoDatabaseFile;
  reader: Reader<AnyResponse>;
  loaded: LoadedGeoDatabase;
}

export class GeoIpDatabases implements GeoLookup {
  readonly #open = new Map<GeoDatabase, Open>();
  readonly #options: GeoIpDatabasesOptions;
  readonly #available: Set<GeoDatabase>;

  /** Opens every file now; a missing, unreadable or wrong-kind file throws a ConfigError naming its variable. */
  constructor(files: readonly GeoDatabaseFile[], options: GeoIpDatabasesOptions = {}) {
    this.#options = options;
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file.path);
      } catch (error) {
        throw new ConfigError(file.variable, `cannot read "${file.path}": ${error instanceof Error ? error.message : String(error)}`);
      }
      const opened = openDatabase(file, bytes);
      if (typeof opened === 'string') throw new ConfigError(file.variable, opened);
      this.#open.set(file.kind, { file, ...opened });
    }
    this.#available = new Set(this.#open.keys());
    for (const open of this.#open.values()) this.#watch(open);
  }

  get available(): ReadonlySet<GeoDatabase> {
    return this.#available;
  }

  /** What is loaded, per kind, for /status. */
  get loaded(): LoadedGeoDatabase[] {
    return [...this.#open.values()].map((o) => o.loaded);
  }

  lookup(ip: string): GeoRecord {
    const address = normaliseAddress(ip);
    if (!address) return {};
    const get = (kind: GeoDatabase): AnyResponse | null => this.#open.get(kind)?.reader.get(address) ?? null;
    let record: { -readonly [K in keyof GeoRecord]: GeoRecord[K] } = {};
    if (this.#open.has('city')) {
      const city = get('city');
      record = { ...optional('country', city?.country?.iso_code), ...optional('region', city?.subdivisions?.[0]?.iso_code), ...optional('city', city?.city?.names?.en) };
    }
    if (this.#open.has('asn')) Object.assign(record, optional('asn', get('asn')?.autonomous_system_number));
    if (this.#open.has('isp')) {
      const isp = get('isp');
      Object.assign(record, optional('isp', isp?.isp));
      if (record.asn === undefined) Object.assign(record, optional('asn', isp?.autonomous_system_number));
    }
    if (this.#open.has('anonymousIp')) record.anonymous = anonymity(get('anonymousIp'));
    return record;
  }

  close(): void {
    for (const { file } of this.#open.values()) unwatchFile(file.path);
  }

  #watch(open: Open): void {
    const changed = (now: Stats, before: Stats) => now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size;
    watchFile(open.file.path, { persistent: false, interval: this.#options.pollIntervalMs ?? 30_000 }, (now, before) => {
      if (now.ino === 0 && now.mtimeMs === 0) return; // gone: keep what is loaded until a file is back
      if (changed(now, before)) void this.#reload(open);
    });
  }

  async #reload(open: Open): Promise<void> {
    try {
      const opened = openDatabase(open.file, await readFile(open.file.path));
      if (typeof opened === 'string') throw new Error(opened);
      open.reader = opened.reader;
      open.loaded = opened.loaded;
      this.#options.onReload?.(opened.loaded);
    } catch (error) {
      this.#options.onReloadError?.(open.file, error);
    }
  }
}

/** The reader and its description, or why the file is not a database of its kind. */
function openDatabase(file: GeoDatabaseFile, bytes: Buffer): { reader: Reader<AnyResponse>; loaded: LoadedGeoDatabase } | string {
  let reader: Reader<AnyResponse>;
  try {
    reader = new Reader<AnyResponse>(bytes);
  } catch (error) {
    return `"${file.path}" is not a MaxMind DB file: ${error instanceof Error ? error.message : String(error)}`;
  }
  const { databaseType, buildEpoch } = reader.metadata;
  const expected = EXPECTED_TYPE[file.kind];
  if (!expected.pattern.test(String(databaseType))) return `"${file.path}" is a ${String(databaseType)} database; expected a database like ${expected.example}`;
  return {
    reader,
    loaded: { kind: file.kind, variable: file.variable, path: file.path, databaseType: String(databaseType), buildEpoch: buildEpoch.toISOString(), loadedAt: new Date().toISOString() },
  };
}

/** Envoy's source address as mmdb-lib takes it: IPv4-mapped IPv6 as plain IPv4; anything else unparsable is no address. */
function normaliseAddress(ip: string): string | undefined {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const address = mapped ? mapped[1]! : ip;
  return isIP(address) ? address : undefined;
}

/** An address the Anonymous-IP database does not list is not anonymous (MaxMind lists anonymous networks only). */
function anonymity(found: AnonymousIPResponse | null): GeoAnonymity {
  return {
    isAnonymous: found?.is_anonymous === true,
    isVPN: found?.is_anonymous_vpn === true,
    isHosting: found?.is_hosting_provider === true,
    isTor: found?.is_tor_exit_node === true,
    isProxy: found?.is_public_proxy === true,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined | null): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

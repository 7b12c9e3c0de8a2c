// principal.clientIPGeoLocations -> GeoLocationMatch[]: each entry's fields normalised for matching
// (codes upper-cased, names lower-cased: Envoy Gateway compares them ignoring case). The CRD's own
// rules, which JSON-schema validation does not run, are checked here with its messages: an entry
// naming nothing (or `anonymous` naming no flag) would match every client, so it is refused.
import type { GeoAnonymity, GeoLocationMatch } from '../decide/geo.js';
import { arr, asObj, str, type CompileContext } from './fields.js';

const FLAGS = ['isAnonymous', 'isVPN', 'isHosting', 'isTor', 'isProxy'] as const;

export function compileGeoLocations(value: unknown, path: string, ctx: CompileContext): GeoLocationMatch[] {
  return arr(value).map((raw, i) => {
    const entry = asObj(raw);
    const at = `${path}/${i}`;
    const country = str(entry.country)?.toUpperCase();
    const region = str(entry.region)?.toUpperCase();
    const city = str(entry.city)?.toLowerCase();
    const isp = str(entry.isp)?.toLowerCase();
    const asn = typeof entry.asn === 'number' ? entry.asn : undefined;
    let anonymous: Partial<Record<keyof GeoAnonymity, boolean>> | undefined;
    if (entry.anonymous !== undefined) {
      const flags = asObj(entry.anonymous);
      anonymous = Object.fromEntries(FLAGS.filter((flag) => typeof flags[flag] === 'boolean').map((flag) => [flag, flags[flag] as boolean]));
      if (Object.keys(anonymous).length === 0) ctx.issue(`${at}/anonymous`, 'at least one of isAnonymous, isVPN, isHosting, isTor, or isProxy must be specified');
    }
    const match: GeoLocationMatch = {
      ...(country !== undefined && { country }),
      ...(region !== undefined && { region }),
      ...(city !== undefined && { city }),
      ...(asn !== undefined && { asn }),
      ...(isp !== undefined && { isp }),
      ...(anonymous !== undefined && { anonymous }),
    };
    if (Object.keys(match).length === 0) ctx.issue(at, 'at least one of country, region, city, asn, isp, or anonymous must be specified');
    return match;
  });
}

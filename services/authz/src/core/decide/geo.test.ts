// clientIPGeoLocations rules: Envoy Gateway's matching (AND within an entry, OR across entries, names
// ignoring case) over an in-memory lookup, and the three-valued answer when a database is missing: a
// rule whose answer depends on it denies the request, whichever its action.
import { describe, expect, it } from 'vitest';
import { compileSecurityPolicy } from '../policy/compile.js';
import { evaluateAuthorization } from './evaluate-authorization.js';
import { databasesNeeded, matchGeoLocations, missingDatabases, NO_GEO, type GeoDatabase, type GeoLookup, type GeoRecord } from './geo.js';
import type { RequestView } from './request-view.js';

const notAnonymous = { isAnonymous: false, isVPN: false, isHosting: false, isTor: false, isProxy: false };
const RECORDS: Record<string, GeoRecord> = {
  '81.0.0.1': { country: 'ES', region: 'MD', city: 'Madrid', asn: 3352, isp: 'Telefonica de Espana', anonymous: notAnonymous },
  '81.0.128.1': { country: 'ES', region: 'CT', city: 'Barcelona', asn: 3352, isp: 'Telefonica de Espana', anonymous: notAnonymous },
  '8.8.8.8': { country: 'US', region: 'CA', asn: 15169, isp: 'Google', anonymous: { ...notAnonymous, isHosting: true } },
  '6.1.0.3': { country: 'US', anonymous: { ...notAnonymous, isAnonymous: true, isVPN: true } },
  '10.0.0.1': { anonymous: notAnonymous },
};

/** A lookup with these databases loaded: fields of databases not loaded are absent, as the adapter leaves them. */
function lookupWith(...databases: GeoDatabase[]): GeoLookup & { calls: number } {
  const available = new Set(databases);
  const lookup = {
    available,
    calls: 0,
    lookup(ip: string): GeoRecord {
      lookup.calls++;
      const r = RECORDS[ip] ?? { anonymous: notAnonymous };
      return {
        ...(available.has('city') && { country: r.country, region: r.region, city: r.city }),
        ...((available.has('asn') || available.has('isp')) && { asn: r.asn }),
        ...(available.has('isp') && { isp: r.isp }),
        ...(available.has('anonymousIp') && { anonymous: r.anonymous }),
      };
    },
  };
  return lookup;
}
const ALL = lookupWith('city', 'asn', 'isp', 'anonymousIp');

const authorization = (rules: object[], defaultAction = 'Deny') => {
  const compiled = compileSecurityPolicy({ kind: 'SecurityPolicy', metadata: { name: 'p', namespace: 'ns' }, spec: { authorization: { defaultAction, rules } } }, { lookup: () => undefined });
  expect(compiled.issues).toEqual([]);
  return compiled.policy!.authorization!;
};
const request = (clientIp: string, over: Partial<RequestView> = {}): RequestView => ({ method: 'GET', path: '/', query: '', host: 'h', scheme: 'https', headers: {}, clientIp, ...over });

describe('clientIPGeoLocations matching', () => {
  it('allows Spain and denies elsewhere (country ignoring case)', () => {
    const spec = authorization([{ name: 'spain', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'es' }] } }]);
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, ALL)).toEqual({ action: 'Allow', rule: 'spain' });
    expect(evaluateAuthorization(spec, request('8.8.8.8'), undefined, ALL)).toEqual({ action: 'Deny' });
    // An address the database does not know has no country: no match, as in Envoy (no geo header).
    expect(evaluateAuthorization(spec, request('192.0.2.1'), undefined, ALL)).toEqual({ action: 'Deny' });
    expect(evaluateAuthorization(spec, request(''), undefined, ALL)).toEqual({ action: 'Deny' });
  });

  it('needs every field of an entry, and any one entry', () => {
    const spec = authorization([{ name: 'madrid-or-google', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'ES', region: 'md', city: 'MADRID' }, { asn: 15169, isp: 'google' }] } }]);
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, ALL).action).toBe('Allow');
    expect(evaluateAuthorization(spec, request('81.0.128.1'), undefined, ALL).action).toBe('Deny');
    expect(evaluateAuthorization(spec, request('8.8.8.8'), undefined, ALL).action).toBe('Allow');
  });

  it('matches anonymity flags; an address the Anonymous-IP database does not list is not anonymous', () => {
    const spec = authorization([{ name: 'no-vpn', action: 'Deny', principal: { clientIPGeoLocations: [{ anonymous: { isAnonymous: true } }] } }], 'Allow');
    expect(evaluateAuthorization(spec, request('6.1.0.3'), undefined, ALL)).toEqual({ action: 'Deny', rule: 'no-vpn' });
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, ALL)).toEqual({ action: 'Allow' });
    const hosting = authorization([{ name: 'not-hosting', action: 'Allow', principal: { clientIPGeoLocations: [{ anonymous: { isHosting: false, isVPN: false } }] } }]);
    expect(evaluateAuthorization(hosting, request('81.0.0.1'), undefined, ALL).action).toBe('Allow');
    expect(evaluateAuthorization(hosting, request('192.0.2.9'), undefined, ALL).action).toBe('Allow');
    expect(evaluateAuthorization(hosting, request('8.8.8.8'), undefined, ALL).action).toBe('Deny');
    expect(evaluateAuthorization(hosting, request('6.1.0.3'), undefined, ALL).action).toBe('Deny');
  });

  it('combines with the rule’s other conditions and looks the address up once, only when a rule gets that far', () => {
    const lookup = lookupWith('city');
    const spec = authorization([
      { name: 'admin-from-spain', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'ES' }] }, operation: { path: { type: 'PathPrefix', value: '/admin' } } },
      { name: 'docs-from-spain', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'ES' }] }, operation: { path: { type: 'PathPrefix', value: '/docs' } } },
      { name: 'cel-too', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'US' }] }, operation: { methods: ['POST'] }, cel: "request.url_path.startsWith('/api')" },
    ]);
    expect(evaluateAuthorization(spec, request('81.0.0.1', { path: '/public' }), undefined, lookup).action).toBe('Deny');
    expect(lookup.calls).toBe(0);
    expect(evaluateAuthorization(spec, request('81.0.0.1', { path: '/docs/x' }), undefined, lookup).rule).toBe('docs-from-spain');
    expect(lookup.calls).toBe(1);
    expect(evaluateAuthorization(spec, request('8.8.8.8', { method: 'POST', path: '/api/x' }), undefined, lookup).rule).toBe('cel-too');
    expect(evaluateAuthorization(spec, request('8.8.8.8', { method: 'POST', path: '/other' }), undefined, lookup)).toEqual({ action: 'Deny' });
    expect(evaluateAuthorization(spec, request('81.0.0.1', { method: 'POST', path: '/api/x' }), undefined, lookup)).toEqual({ action: 'Deny' });
  });
});

describe('clientIPGeoLocations without the database a rule needs', () => {
  it('denies instead of skipping a Deny rule it cannot decide (an Allow default would let the client through)', () => {
    const spec = authorization([{ name: 'no-anonymous', action: 'Deny', principal: { clientIPGeoLocations: [{ anonymous: { isAnonymous: true } }] } }], 'Allow');
    expect(evaluateAuthorization(spec, request('6.1.0.3'), undefined, lookupWith('city'))).toEqual({ action: 'Deny', rule: 'no-anonymous', missingGeoDatabases: ['anonymousIp'] });
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, NO_GEO)).toEqual({ action: 'Deny', rule: 'no-anonymous', missingGeoDatabases: ['anonymousIp'] });
  });

  it('denies instead of matching an Allow rule it cannot decide', () => {
    const spec = authorization([{ name: 'spain', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'ES' }] } }], 'Allow');
    expect(evaluateAuthorization(spec, request('8.8.8.8'), undefined, lookupWith('asn'))).toEqual({ action: 'Deny', rule: 'spain', missingGeoDatabases: ['city'] });
  });

  it('decides when the answer does not depend on the missing database (true OR unknown, false AND unknown)', () => {
    const spec = authorization([{ name: 'r', action: 'Allow', principal: { clientIPGeoLocations: [{ country: 'ES', anonymous: { isAnonymous: false } }, { country: 'ES', region: 'MD' }] } }]);
    const cityOnly = lookupWith('city');
    // The second entry matches with the City database alone: the rule matches.
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, cityOnly)).toEqual({ action: 'Allow', rule: 'r' });
    // Both entries need country ES: false whatever the Anonymous-IP database would say.
    expect(evaluateAuthorization(spec, request('8.8.8.8'), undefined, cityOnly)).toEqual({ action: 'Deny' });
    // Barcelona: the first entry hangs on the missing database.
    expect(evaluateAuthorization(spec, request('81.0.128.1'), undefined, cityOnly)).toEqual({ action: 'Deny', rule: 'r', missingGeoDatabases: ['anonymousIp'] });
  });

  it('never reaches the geo condition of a rule whose other conditions fail', () => {
    const spec = authorization([{ name: 'admin-geo', action: 'Deny', principal: { clientIPGeoLocations: [{ asn: 64500 }] }, operation: { methods: ['DELETE'] } }], 'Allow');
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, NO_GEO)).toEqual({ action: 'Allow' });
    expect(evaluateAuthorization(spec, request('81.0.0.1', { method: 'DELETE' }), undefined, NO_GEO).missingGeoDatabases).toEqual(['asn']);
  });

  it('answers ASN from an ISP database too, and names what a policy needs and lacks', () => {
    const spec = authorization([
      { name: 'a', action: 'Allow', principal: { clientIPGeoLocations: [{ asn: 3352 }] } },
      { name: 'b', action: 'Deny', principal: { clientIPGeoLocations: [{ isp: 'x', city: 'y' }, { anonymous: { isTor: true } }] } },
    ]);
    expect(evaluateAuthorization(spec, request('81.0.0.1'), undefined, lookupWith('isp')).rule).toBe('a');
    expect(databasesNeeded(spec.rules)).toEqual(['city', 'asn', 'isp', 'anonymousIp']);
    expect(missingDatabases(databasesNeeded(spec.rules), new Set(['isp']))).toEqual(['city', 'anonymousIp']);
    expect(matchGeoLocations([{ asn: 1 }], () => ({}), new Set())).toBe('unknown');
  });
});

// A SecurityPolicy's clientIPGeoLocations entries: the CRD's CEL rules (which JSON-schema validation
// does not run, and the Kubernetes API server would), with the CRD's messages. An entry naming no field
// would match every client, so a policy carrying one is Accepted=False rather than published. The
// matching itself is the authz service's (services/authz, core/decide/geo.ts), over the MaxMind DB files
// its AUTHZ_GEOIP_*_DB variables name.
import { objectsOf } from './shape.js';

const FIELDS = ['country', 'region', 'city', 'asn', 'isp', 'anonymous'] as const;
const FLAGS = ['isAnonymous', 'isVPN', 'isHosting', 'isTor', 'isProxy'] as const;

export function geoLocationProblems(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  objectsOf<{ principal?: { clientIPGeoLocations?: unknown } }>((spec.authorization as { rules?: unknown } | undefined)?.rules).forEach((rule, r) => {
    objectsOf<Record<string, unknown>>(rule.principal?.clientIPGeoLocations).forEach((entry, e) => {
      const at = `spec.authorization.rules[${r}].principal.clientIPGeoLocations[${e}]`;
      if (!FIELDS.some((field) => entry[field] !== undefined && entry[field] !== null)) problems.push(`${at}: at least one of country, region, city, asn, isp, or anonymous must be specified`);
      const anonymous = entry.anonymous as Record<string, unknown> | undefined | null;
      if (anonymous && !FLAGS.some((flag) => anonymous[flag] !== undefined && anonymous[flag] !== null)) problems.push(`${at}.anonymous: at least one of isAnonymous, isVPN, isHosting, isTor, or isProxy must be specified`);
    });
  });
  return problems;
}

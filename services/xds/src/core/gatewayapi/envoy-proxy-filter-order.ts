// EnvoyProxy `filterOrder`, read as Envoy Gateway reads it: each entry moves the HTTP filters of one
// type (`name`, an Envoy filter name such as envoy.filters.http.wasm) before the first filter of the
// `before` type or after the last one of the `after` type, entries applied in order
// (translator/filter-order.ts). The router stays last: it is not a name an entry may use.
export interface FilterOrderIR {
  name: string;
  before?: string;
  after?: string;
}

/** The HTTP filters Envoy Gateway lets filterOrder move (its EnvoyFilter enum), as Gatehouse names them too. */
export const ORDERABLE_HTTP_FILTERS = [
  'envoy.filters.http.health_check',
  'envoy.filters.http.fault',
  'envoy.filters.http.cors',
  'envoy.filters.http.header_mutation',
  'envoy.filters.http.ext_authz',
  'envoy.filters.http.api_key_auth',
  'envoy.filters.http.basic_auth',
  'envoy.filters.http.oauth2',
  'envoy.filters.http.jwt_authn',
  'envoy.filters.http.stateful_session',
  'envoy.filters.http.buffer',
  'envoy.filters.http.lua',
  'envoy.filters.http.ext_proc',
  'envoy.filters.http.wasm',
  'envoy.filters.http.rbac',
  'envoy.filters.http.local_ratelimit',
  'envoy.filters.http.ratelimit',
  'envoy.filters.http.grpc_web',
  'envoy.filters.http.grpc_stats',
  'envoy.filters.http.custom_response',
  'envoy.filters.http.credential_injector',
  'envoy.filters.http.compressor',
  'envoy.filters.http.dynamic_forward_proxy',
  'envoy.filters.http.admission_control',
  'envoy.filters.http.bandwidth_limit',
] as const;

export function judgeFilterOrder(value: unknown): { ir: FilterOrderIR[]; problems: string[] } {
  if (value === undefined || value === null) return { ir: [], problems: [] };
  const entries = Array.isArray(value) ? (value as Array<Partial<FilterOrderIR> | null>) : [];
  const problems: string[] = [];
  const ir: FilterOrderIR[] = [];
  const known = (name: string | undefined): boolean => (ORDERABLE_HTTP_FILTERS as readonly string[]).includes(name ?? '');
  entries.forEach((entry, i) => {
    const at = `spec.filterOrder[${i}]`;
    const before = entry?.before ?? undefined;
    const after = entry?.after ?? undefined;
    if ((before === undefined) === (after === undefined)) return void problems.push(`${at}: exactly one of before and after must be set`);
    const bad = [entry?.name, before ?? after].filter((n) => !known(n));
    if (bad.length > 0) {
      return void problems.push(`${at}: ${bad.map((name) => `"${name ?? ''}"`).join(', ')}: not one of the HTTP filters filterOrder orders (Envoy Gateway's filter names, envoy.filters.http.<type>; the router stays last)`);
    }
    if (entry!.name === (before ?? after)) return void problems.push(`${at}: a filter cannot be ordered relative to itself`);
    ir.push({ name: entry!.name!, ...(before ? { before } : { after: after! }) });
  });
  return { ir, problems };
}

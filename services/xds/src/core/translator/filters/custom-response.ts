// BackendTrafficPolicy responseOverride: Envoy's custom_response filter, empty and disabled in the
// HCM, and on each route of a policy that policy's CustomResponse (which enables the filter there):
// a matcher list, first match wins, each rule matching its status codes (exact, or a range as an RE2
// pattern over the code) and its response headers, and answering a local response or a redirect.
import type { ResponseOverrideIR, ResponseOverrideRuleIR } from '../../ir/types.js';
import type { EnvoyObject } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const CUSTOM_RESPONSE_NAME = 'envoy.filters.http.custom_response';
const CUSTOM_RESPONSE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.custom_response.v3.CustomResponse';
const LOCAL_RESPONSE_TYPE = 'type.googleapis.com/envoy.extensions.http.custom_response.local_response_policy.v3.LocalResponsePolicy';
const REDIRECT_TYPE = 'type.googleapis.com/envoy.extensions.http.custom_response.redirect_policy.v3.RedirectPolicy';
const STATUS_INPUT = { name: 'http-response-status-code-match-input', typed_config: { '@type': 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseStatusCodeMatchInput' } };
const HEADER_INPUT_TYPE = 'type.googleapis.com/envoy.type.matcher.v3.HttpResponseHeaderMatchInput';

export const customResponseFilter: HttpFilterTranslator = {
  name: CUSTOM_RESPONSE_NAME,
  buildFilter(chain) {
    if (!chainRoutes(chain).some((r) => r.responseOverride)) return undefined;
    return { name: CUSTOM_RESPONSE_NAME, typed_config: { '@type': CUSTOM_RESPONSE_TYPE }, disabled: true };
  },
  patchRoute(route, ir) {
    if (!ir?.responseOverride || !route.route) return;
    setPerFilterConfig(route, CUSTOM_RESPONSE_NAME, customResponse(ir.responseOverride));
  },
  resources: () => ({ clusters: [] }),
};

function customResponse(ir: ResponseOverrideIR): EnvoyObject {
  return {
    '@type': CUSTOM_RESPONSE_TYPE,
    custom_response_matcher: {
      matcher_list: {
        matchers: ir.rules.map((rule, i) => ({ predicate: predicate(rule), on_match: { action: { name: `${ir.policy}/rule/${i}`, typed_config: action(rule) } } })),
      },
    },
  };
}

/** Any of the status codes, and every header: Envoy's predicate lists need two or more entries. */
function predicate(rule: ResponseOverrideRuleIR): EnvoyObject {
  const statuses = rule.statusCodes.map((code) => ({
    single_predicate: { input: STATUS_INPUT, value_match: code.kind === 'value' ? { exact: String(code.value) } : { safe_regex: { google_re2: {}, regex: statusRangeRegex(code.start, code.end) } } },
  }));
  const headers = rule.responseHeaders.map((header) => ({
    single_predicate: { input: { name: 'http-response-header-match-input', typed_config: { '@type': HEADER_INPUT_TYPE, header_name: header.name } }, value_match: stringMatch(header.match) },
  }));
  const anyStatus = statuses.length > 1 ? [{ or_matcher: { predicate: statuses } }] : statuses;
  const all = [...anyStatus, ...headers];
  return all.length > 1 ? { and_matcher: { predicate: all } } : all[0]!;
}

function stringMatch(match: ResponseOverrideRuleIR['responseHeaders'][number]['match']): EnvoyObject {
  switch (match.type) {
    case 'Exact':
      return { exact: match.value };
    case 'Prefix':
      return { prefix: match.value };
    case 'Suffix':
      return { suffix: match.value };
    case 'RegularExpression':
      return { safe_regex: { google_re2: {}, regex: match.value } };
  }
}

/** An RE2 pattern for the three-digit codes from start to end inclusive, e.g. 400-503: 4\d\d|50[0-3]. */
export function statusRangeRegex(start: number, end: number): string {
  const parts: string[] = [];
  for (let hundred = Math.floor(start / 100); hundred <= Math.floor(end / 100); hundred++) {
    const low = Math.max(start, hundred * 100);
    const high = Math.min(end, hundred * 100 + 99);
    if (low === hundred * 100 && high === hundred * 100 + 99) {
      parts.push(`${hundred}\\d\\d`);
      continue;
    }
    for (let ten = Math.floor(low / 10); ten <= Math.floor(high / 10); ten++) {
      const first = Math.max(low, ten * 10) % 10;
      const last = Math.min(high, ten * 10 + 9) % 10;
      parts.push(first === 0 && last === 9 ? `${ten}\\d` : first === last ? `${ten}${first}` : `${ten}[${first}-${last}]`);
    }
  }
  return `^(?:${parts.join('|')})$`;
}

function action(rule: ResponseOverrideRuleIR): EnvoyObject {
  if (rule.redirect) {
    const r = rule.redirect;
    return {
      '@type': REDIRECT_TYPE,
      redirect_action: {
        ...(r.scheme ? { scheme_redirect: r.scheme } : {}),
        ...(r.hostname ? { host_redirect: r.hostname } : {}),
        ...(r.port !== undefined ? { port_redirect: r.port } : {}),
        ...(r.path !== undefined ? { path_redirect: r.path } : {}),
      },
      status_code: r.statusCode,
    };
  }
  const response = rule.response ?? { add: [], set: [] };
  const headers: EnvoyObject[] = [
    ...(response.contentType ? [{ header: { key: 'content-type', value: response.contentType }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }] : []),
    ...response.set.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
    ...response.add.map((h) => ({ header: { key: h.name, value: h.value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
  ];
  return {
    '@type': LOCAL_RESPONSE_TYPE,
    // The body as data, not as a format string: a "%" in it stays a "%".
    ...(response.body !== undefined ? { body: { inline_string: response.body } } : {}),
    ...(response.statusCode !== undefined ? { status_code: response.statusCode } : {}),
    ...(headers.length > 0 ? { response_headers_to_add: headers } : {}),
  };
}

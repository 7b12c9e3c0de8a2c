// Every field of Envoy Gateway v1.9's HTTPRouteFilter (the target of an HTTPRoute/GRPCRoute ExtensionRef
// filter, gatewayapi/route-filter-refs.ts): what Envoy gets and the test that shows it.
// http-route-filter.test.ts walks the vendored CRD and fails on a field without an entry; the README's
// HTTPRouteFilter table is generated from this one (`pnpm -F @gatehouse/xds golden:update`).
import type { FieldSupport } from './field-support.js';

const END_TO_END = 'services/xds/testdata/end-to-end/httproutefilter-extension-refs.in.yaml';

const JOURNEY = 'e2e/specs/extension-filters.spec.ts';

function translated(envoy: string, test = END_TO_END): FieldSupport {
  return { status: 'translated', envoy, test };
}

export const httpRouteFilterFields: Record<string, FieldSupport> = {
  'spec.directResponse': translated("the rule's route answers itself: direct_response (the rule's backends are not called)", `${END_TO_END}, ${JOURNEY}`),
  'spec.directResponse.statusCode': translated('direct_response.status (default 200)'),
  'spec.directResponse.contentType': translated('response_headers_to_add Content-Type'),
  'spec.directResponse.body': translated('direct_response.body.inline_string (at most 4096 bytes, Envoy\'s limit; a longer one answers 500 with ResolvedRefs=False)'),
  'spec.directResponse.body.type': translated('Inline or ValueRef'),
  'spec.directResponse.body.inline': translated('the body text'),
  'spec.directResponse.body.valueRef': translated('a ConfigMap in the route namespace: key response.body, else its first value; a missing one: ResolvedRefs=False and the rule answers 500'),
  'spec.directResponse.body.valueRef.group': translated('"" (core)'),
  'spec.directResponse.body.valueRef.kind': translated('ConfigMap'),
  'spec.directResponse.body.valueRef.name': translated('the ConfigMap name'),
  'spec.directResponse.header': translated('response_headers_to_add on the direct response'),
  'spec.directResponse.header.add': translated('response_headers_to_add APPEND_IF_EXISTS_OR_ADD'),
  'spec.directResponse.header.add.name': translated('header name'),
  'spec.directResponse.header.add.value': translated('header value'),
  'spec.directResponse.header.set': translated('response_headers_to_add OVERWRITE_IF_EXISTS_OR_ADD'),
  'spec.directResponse.header.set.name': translated('header name'),
  'spec.directResponse.header.set.value': translated('header value'),
  'spec.directResponse.header.remove': translated('refused with the CRD rule "header.remove is not supported for DirectResponse" (the rule is dropped, PartiallyInvalid)'),
  'spec.urlRewrite': translated('route action rewrites; with the rule\'s own URLRewrite path or hostname as well: "Cannot configure multiple urlRewrite filters" (the rule is dropped)'),
  'spec.urlRewrite.path': translated('route.regex_rewrite'),
  'spec.urlRewrite.path.type': translated('ReplaceRegexMatch'),
  'spec.urlRewrite.path.replaceRegexMatch': translated('regex_rewrite {pattern.regex, substitution}; a pattern RE2 refuses drops the rule'),
  'spec.urlRewrite.path.replaceRegexMatch.pattern': translated('regex_rewrite.pattern.regex'),
  'spec.urlRewrite.path.replaceRegexMatch.substitution': translated('regex_rewrite.substitution'),
  'spec.urlRewrite.hostname': translated('route.host_rewrite_header, auto_host_rewrite or host_rewrite_path_regex'),
  'spec.urlRewrite.hostname.type': translated('Header, Backend or PathRegex'),
  'spec.urlRewrite.hostname.header': translated('host_rewrite_header'),
  'spec.urlRewrite.hostname.pathRegex': translated('host_rewrite_path_regex; a pattern RE2 refuses drops the rule'),
  'spec.urlRewrite.hostname.pathRegex.pattern': translated('host_rewrite_path_regex.pattern.regex'),
  'spec.urlRewrite.hostname.pathRegex.substitution': translated('host_rewrite_path_regex.substitution'),
  'spec.urlRewrite.appendXForwardedHost': translated('route.append_x_forwarded_host'),
  'spec.credentialInjection': translated('request_headers_to_add with the credential (overwrite: OVERWRITE_IF_EXISTS_OR_ADD, else ADD_IF_ABSENT)', `${END_TO_END}, ${JOURNEY}`),
  'spec.credentialInjection.header': translated('the header (default Authorization)'),
  'spec.credentialInjection.overwrite': translated('replace a header the client sent (default false: keep it)'),
  'spec.credentialInjection.credential': translated('the credential'),
  'spec.credentialInjection.credential.valueRef': translated('a Secret, key credential (another namespace needs a ReferenceGrant); missing: ResolvedRefs=False and the rule answers 500'),
  'spec.credentialInjection.credential.valueRef.group': translated('"" (core)'),
  'spec.credentialInjection.credential.valueRef.kind': translated('Secret'),
  'spec.credentialInjection.credential.valueRef.name': translated('the Secret name'),
  'spec.credentialInjection.credential.valueRef.namespace': translated('the Secret namespace'),
  'spec.matches': translated("each match ANDed with every one of the rule's matches (one Envoy route per pair)"),
  'spec.matches.cookies': translated('a header matcher on cookie per cookie (safe_regex finding name=value in the Cookie header)'),
  'spec.matches.cookies.name': translated('the cookie name'),
  'spec.matches.cookies.type': translated('Exact (escaped) or RegularExpression (RE2-checked)'),
  'spec.matches.cookies.value': translated('the cookie value'),
};

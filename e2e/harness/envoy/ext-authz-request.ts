// Builds the envoy.service.auth.v3.CheckRequest that Envoy's ext_authz HTTP filter sends, and applies
// its CheckResponse the way the filter does.
import { protoRoot } from '@gatehouse/contracts';
import type { EmulatedRequest } from './route-matching.js';
import type { Route, TypedConfig, VirtualHost } from './types.js';

export const EXT_AUTHZ_FILTER = 'envoy.filters.http.ext_authz';

export interface ExtAuthzPerRoute {
  disabled?: boolean;
  check_settings?: { context_extensions?: Record<string, string> };
}

/** Per-route settings: the route's own, else the virtual host's (most specific wins, as in Envoy). */
export function perFilterConfig<T>(filterName: string, route: Route, virtualHost: VirtualHost): T | undefined {
  const raw: TypedConfig | undefined = route.typed_per_filter_config?.[filterName] ?? virtualHost.typed_per_filter_config?.[filterName];
  if (!raw) return undefined;
  // envoy.config.route.v3.FilterConfig wraps a config and may disable the filter.
  if (raw['@type'].endsWith('envoy.config.route.v3.FilterConfig')) {
    return (raw.disabled ? { disabled: true } : (raw.config as T | undefined)) as T | undefined;
  }
  return raw as unknown as T;
}

export function buildCheckRequest(request: EmulatedRequest, perRoute: ExtAuthzPerRoute | undefined, requestId: string): object {
  const [path = '/'] = [request.path];
  const headers: Record<string, string> = {
    ':authority': request.host,
    ':method': request.method,
    ':path': path,
    ':scheme': request.scheme ?? 'http',
    ...request.headers,
    'x-request-id': requestId,
  };
  return {
    attributes: {
      source: { address: { socket_address: { address: request.clientAddress, port_value: request.clientPort ?? 40000 } } },
      destination: { address: { socket_address: { address: '127.0.0.1', port_value: request.scheme === 'https' ? 443 : 80 } } },
      request: {
        time: { seconds: String(Math.floor(Date.now() / 1000)), nanos: 0 },
        http: {
          id: requestId,
          method: request.method,
          headers,
          path,
          host: request.host,
          scheme: request.scheme ?? 'http',
          protocol: 'HTTP/1.1',
          size: String(request.body ? Buffer.byteLength(request.body) : 0),
        },
      },
      context_extensions: perRoute?.check_settings?.context_extensions ?? {},
    },
  };
}

/** envoy.type.v3.StatusCode arrives as an enum name ("Unauthorized") with enums: String. */
export function httpStatusOf(code: unknown, fallback: number): number {
  if (typeof code === 'number') return code;
  if (typeof code === 'string') {
    const values = protoRoot().lookupEnum('envoy.type.v3.StatusCode').values;
    const value = values[code];
    if (value !== undefined && value !== 0) return value;
  }
  return fallback;
}

export interface HeaderValueOption {
  header?: { key?: string; value?: string; raw_value?: Buffer };
  append?: { value?: boolean } | boolean;
  append_action?: string;
}

/** Applies HeaderValueOptions to a header map (lower-case names), with Envoy's append semantics. */
export function applyHeaderOptions(headers: Record<string, string>, options: HeaderValueOption[] | undefined, appendByDefault: boolean): void {
  for (const option of options ?? []) {
    const key = option.header?.key?.toLowerCase();
    if (!key) continue;
    const value = option.header?.value ?? option.header?.raw_value?.toString() ?? '';
    const appendFlag = typeof option.append === 'boolean' ? option.append : option.append?.value;
    const action = option.append_action ?? (appendFlag ?? appendByDefault ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD');
    const existing = headers[key];
    switch (action) {
      case 'APPEND_IF_EXISTS_OR_ADD':
        headers[key] = existing === undefined ? value : `${existing},${value}`;
        break;
      case 'ADD_IF_ABSENT':
        if (existing === undefined) headers[key] = value;
        break;
      case 'OVERWRITE_IF_EXISTS':
        if (existing !== undefined) headers[key] = value;
        break;
      default:
        headers[key] = value;
    }
  }
}

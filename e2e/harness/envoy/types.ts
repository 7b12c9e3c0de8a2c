// The parts of Envoy's JSON config (snake_case proto field names) the emulator reads. Everything is
// optional because it comes straight from a served snapshot.
export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex: string };
  ignore_case?: boolean;
}

export interface HeaderMatcher {
  name: string;
  string_match?: StringMatcher;
  exact_match?: string;
  prefix_match?: string;
  present_match?: boolean;
  invert_match?: boolean;
}

export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}

export interface RouteMatch {
  prefix?: string;
  path?: string;
  path_separated_prefix?: string;
  safe_regex?: { regex: string };
  case_sensitive?: { value: boolean } | boolean;
  headers?: HeaderMatcher[];
  query_parameters?: QueryParameterMatcher[];
}

export interface RateLimitAction {
  generic_key?: { descriptor_value: string; descriptor_key?: string };
  request_headers?: { header_name: string; descriptor_key: string; skip_if_absent?: boolean };
  remote_address?: Record<string, never>;
  masked_remote_address?: { v4_prefix_mask_len?: { value: number } | number; v6_prefix_mask_len?: { value: number } | number };
  header_value_match?: { descriptor_value: string; descriptor_key?: string; expect_match?: { value: boolean } | boolean; headers: HeaderMatcher[] };
  destination_cluster?: Record<string, never>;
  source_cluster?: Record<string, never>;
}

export interface RateLimitPolicy {
  /** A UInt32Value: a number in Envoy JSON, { value } as decoded from ADS. */
  stage?: number | { value: number };
  actions: RateLimitAction[];
}

export interface Route {
  name?: string;
  match: RouteMatch;
  route?: { cluster?: string; weighted_clusters?: { clusters: Array<{ name: string; weight?: { value: number } | number }> }; rate_limits?: RateLimitPolicy[] };
  redirect?: Record<string, unknown>;
  direct_response?: { status: number; body?: { inline_string?: string } };
  typed_per_filter_config?: Record<string, TypedConfig>;
  request_headers_to_add?: Array<{ header: { key: string; value: string }; append_action?: string }>;
  request_headers_to_remove?: string[];
}

export interface VirtualHost {
  name: string;
  domains: string[];
  routes: Route[];
  rate_limits?: RateLimitPolicy[];
  typed_per_filter_config?: Record<string, TypedConfig>;
}

export interface RouteConfiguration {
  name: string;
  virtual_hosts: VirtualHost[];
  request_headers_to_remove?: string[];
  ignore_port_in_host_matching?: boolean;
}

export interface TypedConfig {
  '@type': string;
  [field: string]: unknown;
}

export interface HttpFilter {
  name: string;
  typed_config?: TypedConfig;
  disabled?: boolean;
}

export interface HttpConnectionManager extends TypedConfig {
  rds?: { route_config_name: string };
  route_config?: RouteConfiguration;
  http_filters?: HttpFilter[];
}

export interface Listener {
  name: string;
  address?: { socket_address?: { address: string; port_value: number } };
  filter_chains?: Array<{ filter_chain_match?: { server_names?: string[] }; filters: Array<{ name: string; typed_config?: TypedConfig }> }>;
}

export interface EnvoySnapshot {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters?: Array<{ name: string; type?: string }>;
  /** ClusterLoadAssignments (EDS); when given, an EDS cluster without endpoints cannot be routed to. */
  endpoints?: Array<{ cluster_name: string; endpoints?: Array<{ lb_endpoints?: unknown[] }> }>;
}

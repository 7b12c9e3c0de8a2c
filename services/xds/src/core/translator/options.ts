// What the translator needs to know beyond the IR: where Envoy reaches the other Gatehouse services.

/** A Gatehouse service Envoy talks to, reachable at host:port. */
export interface ServiceEndpoint {
  clusterName: string;
  host: string;
  port: number;
  /** Upstream mutual TLS to the service (its gRPC port serves nothing else); absent = plaintext. */
  tls?: InternalTls;
}

/**
 * How an Envoy proves itself to a Gatehouse service and checks it: its own certificate and the
 * deployment CA come from file-based SDS secrets in `sdsDir` (written by `gatehouse bootstrap`, the same
 * files its xds cluster uses), and the service must present `serverIdentity` as a URI SAN.
 */
export interface InternalTls {
  /** Directory, as the Envoy sees it, of the SDS files (XDS_ENVOY_SDS_DIR). */
  sdsDir: string;
  /** e.g. spiffe://gatehouse/service/authz */
  serverIdentity: string;
}

export interface TranslatorOptions {
  /** ext_authz gRPC service (services/authz). */
  authz: ServiceEndpoint & { timeoutMs?: number };
  /** Rate limit gRPC service (services/ratelimit). */
  rateLimit: ServiceEndpoint & { timeoutMs?: number; failClosed?: boolean };
  /** HTTP-01 challenge responder (services/certs). */
  certs: ServiceEndpoint;
  /** Address Envoy listeners bind. Default "0.0.0.0". */
  bindAddress?: string;
}

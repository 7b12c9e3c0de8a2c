// What the translator needs to know beyond the IR: where Envoy reaches the other Gatehouse services.

/** A Gatehouse service Envoy talks to, reachable at host:port. */
export interface ServiceEndpoint {
  clusterName: string;
  host: string;
  port: number;
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

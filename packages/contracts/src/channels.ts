// Names of the Redis channels and queues that connect the services: the other half of each contract.

/** Pub/sub fan-out channels (FanoutChannel); the latest value is kept under `<name>:latest`. */
export const FanoutChannels = {
  /** gatehouse.v1.RateLimitConfigPublished, xds -> every ratelimit replica. */
  rateLimitConfig: 'gatehouse:ratelimit:config',
  /** gatehouse.v1.AuthzPoliciesPublished, xds -> every authz replica. */
  authzPolicies: 'gatehouse:authz:policies',
  /** gatehouse.v1.CertificateIssued, certs -> every xds replica. */
  certificateIssued: 'gatehouse:certificates:issued',
  /** gatehouse.v1.GatewayConfigChanged, xds admin API -> every xds replica. */
  gatewayConfigChanged: 'gatehouse:xds:config-changed',
} as const;

/** BullMQ queues (BullMQ forbids ":" in queue names). */
export const QueueNames = {
  /** gatehouse.v1.CertificateWanted jobs, xds -> one certs worker; jobId deduplicates. */
  certificateWanted: 'certs-wanted',
} as const;

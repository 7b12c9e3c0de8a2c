// Which envelope each thing that crosses Redis travels in: producer and consumer take the context from
// here, so they cannot drift apart. Publications that carry secrets (OIDC client secrets, API keys,
// htpasswd entries) and admin-API resources (Secrets among them) are encrypted (aead); the rest only
// needs authenticity (mac).
import { FanoutChannels, QueueNames } from './channels.js';
import type { SealContext } from './sealed-envelope.js';

export const SealedUses = {
  /** gatehouse.v1.RateLimitConfigPublished, publication and its latest-kept value. */
  rateLimitConfig: (name: string = FanoutChannels.rateLimitConfig): SealContext => ({ purpose: 'fanout', name, mode: 'mac' }),
  /** gatehouse.v1.AuthzPoliciesPublished: carries client secrets, API keys and htpasswd entries. */
  authzPolicies: (name: string = FanoutChannels.authzPolicies): SealContext => ({ purpose: 'secret', name, mode: 'aead' }),
  /** gatehouse.v1.CertificateIssued, publication and the per-certificate latest hash. */
  certificateIssued: (name: string = FanoutChannels.certificateIssued): SealContext => ({ purpose: 'fanout', name, mode: 'mac' }),
  /** gatehouse.v1.GatewayConfigChanged. */
  gatewayConfigChanged: (name: string = FanoutChannels.gatewayConfigChanged): SealContext => ({ purpose: 'fanout', name, mode: 'mac' }),
  /** BullMQ job data on `queue` (certs-wanted, certs order queues). */
  job: (queue: string = QueueNames.certificateWanted): SealContext => ({ purpose: 'job', name: queue, mode: 'mac' }),
  /** One field of xds's admin-resource hash: the field name binds it, so it cannot be moved. */
  adminResource: (hashKey: string, field: string): SealContext => ({ purpose: 'admin-resource', name: `${hashKey}#${field}`, mode: 'aead' }),
  /** certs' answer to an ACME HTTP-01 challenge: the token binds it (a forged one would win a CA's validation). */
  http01: (token: string): SealContext => ({ purpose: 'job', name: `http01:${token}`, mode: 'mac' }),
  /** A certificate certs was asked for (its `wanted` hash): the id binds it (a forged one would make certs order names). */
  wantedCertificate: (id: string): SealContext => ({ purpose: 'job', name: `wanted:${id}`, mode: 'mac' }),
  /** An authz session or pending login record: the id (cookie value / state) is the associated data. */
  session: (kind: 'session' | 'login', id: string): SealContext => ({ purpose: 'session', name: `${kind}:${id}`, mode: 'aead' }),
} as const;

// Policies the xds service publishes (gatehouse.v1.AuthzPoliciesPublished) on the kit's FanoutChannel:
// every replica loads the stored latest at start and applies each announcement. The publication is
// sealed by xds (AES-256-GCM under the control key: it carries client secrets, API keys and htpasswd
// entries); a forged or edited one does not open and goes to onError, the applied policies stay.
import { authzPoliciesPublishedCodec, sealedCodec, SealedUses, FanoutChannels, type ControlKeyring } from '@gatehouse/contracts';
import type { AuthzPoliciesPublished__Output } from '@gatehouse/contracts/generated/gatehouse/v1/AuthzPoliciesPublished';
import { FanoutChannel, withTraceContext, type RedisConnection } from '@gatehouse/kit';
import type { ConfigFile } from '../core/load-policies.js';

export interface RedisPolicySourceOptions {
  /** A connection for GET; must not be in subscriber mode. */
  readonly redis: RedisConnection;
  /** Opens the sealed publication (GATEHOUSE_CONTROL_KEY). */
  readonly keyring: ControlKeyring;
  /** Creates the dedicated SUBSCRIBE connection. */
  readonly subscriber: () => RedisConnection;
  /** Channel name (the latest value is kept under "<name>:latest"). Default FanoutChannels.authzPolicies. */
  readonly channel?: string;
  readonly onPublication: (publication: AuthzPoliciesPublished__Output) => void;
  readonly onError: (err: unknown) => void;
}

export async function startRedisPolicySource(options: RedisPolicySourceOptions): Promise<{ close(): Promise<void> }> {
  const name = options.channel ?? FanoutChannels.authzPolicies;
  const channel = new FanoutChannel({
    name,
    codec: sealedCodec(authzPoliciesPublishedCodec, options.keyring, SealedUses.authzPolicies(name)),
    redis: options.redis,
    subscriber: options.subscriber,
  });
  // Continue xds's trace, so one trace shows the YAML change published and every replica applying it.
  await channel.subscribe(
    (publication) =>
      withTraceContext(publication.trace, 'authz apply policies', (span) => {
        span.setAttribute('gatehouse.config.version', publication.version ?? '');
        span.setAttribute('gatehouse.policies', (publication.policies ?? []).map((p) => `${p.namespace ?? ''}/${p.name ?? ''}`));
        options.onPublication(publication);
      }),
    options.onError,
  );
  return { close: () => channel.close() };
}

/** The publication as config files plus the referenced secrets, for loadPolicies. */
export function publicationToConfig(publication: AuthzPoliciesPublished__Output): { files: ConfigFile[]; data: Map<string, Record<string, Buffer>> } {
  const files = (publication.policies ?? []).map((p) => ({ file: `redis:${p.namespace ?? ''}/${p.name ?? ''}`, text: p.yaml ?? '' }));
  const data = new Map<string, Record<string, Buffer>>();
  for (const [ref, secret] of Object.entries(publication.secrets ?? {})) {
    const entries: Record<string, Buffer> = {};
    for (const [k, v] of Object.entries(secret.data ?? {})) entries[k] = Buffer.from(v);
    data.set(ref, entries);
  }
  return { files, data };
}

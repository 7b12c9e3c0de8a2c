// The descriptor entry that carries a rate limit rule's request cost from Envoy to the ratelimit service.
// Envoy's route-level hits_addend (what Envoy Gateway's `cost` becomes) is newer than the Envoy API Gatehouse
// validates against, so xds appends this entry as the rule's last rate limit action (a generic_key with the number) and the ratelimit service takes it off the descriptor before
// matching, as that descriptor's hits_addend. Keys come from Envoy's config, never from clients.

/** The entry's key; its value is the cost, a whole number (0 checks the limit without spending). */
export const RATE_LIMIT_COST_ENTRY_KEY = 'gatehouse.cost';

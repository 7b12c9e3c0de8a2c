// The decoded ShouldRateLimit request in the form the decision logic needs, and its validation:
// the reference's checks (empty domain or descriptor list) plus bounds on what one request may ask
// for (hits_addend, descriptor and entry counts, entry sizes), so a hostile client can neither
// overflow a counter nor make one check cost thousands of Redis keys.
import { RateLimitErrorCodes, RateLimitRequestError } from '../errors.js';
import type { RequestDescriptor } from './descriptor-matcher.js';

export interface CheckDescriptor extends RequestDescriptor {
  /** Descriptor-level hits_addend; undefined means "use the request's". 0 checks without counting. */
  readonly hitsAddend?: number | undefined;
}

export interface CheckRequest {
  readonly domain: string;
  readonly descriptors: readonly CheckDescriptor[];
  /** Request-level hits_addend; 0 or absent means 1, as in the Envoy API. */
  readonly hitsAddend?: number | undefined;
}

/** What one request may ask for; a request beyond any bound is refused whole and counts nothing. */
export interface RequestLimits {
  /** Largest hits_addend, request or descriptor level. */
  readonly maxHitsAddend: number;
  /** Most descriptors in one request (Envoy sends one per matching rate_limits action set). */
  readonly maxDescriptors: number;
  /** Most entries in one descriptor. */
  readonly maxEntries: number;
  /** Longest entry key or value, in UTF-8 bytes. */
  readonly maxEntryBytes: number;
}

export const defaultRequestLimits: RequestLimits = { maxHitsAddend: 1_000_000, maxDescriptors: 64, maxEntries: 16, maxEntryBytes: 1024 };

/**
 * @throws RateLimitRequestError as the reference does for an empty domain or descriptor list, and for
 * a request beyond `limits` (every such answer is gRPC INVALID_ARGUMENT / HTTP 400).
 */
export function validateRequest(request: CheckRequest, limits: RequestLimits = defaultRequestLimits): void {
  if (request.domain === '') throw new RateLimitRequestError(RateLimitErrorCodes.emptyDomain, 'rate limit domain must not be empty');
  const descriptors = request.descriptors;
  if (descriptors.length === 0) {
    throw new RateLimitRequestError(RateLimitErrorCodes.emptyDescriptors, 'rate limit descriptor list must not be empty');
  }
  if (descriptors.length > limits.maxDescriptors) {
    throw new RateLimitRequestError(RateLimitErrorCodes.tooManyDescriptors, `${descriptors.length} descriptors in one request; at most ${limits.maxDescriptors}`);
  }
  checkHits(request.hitsAddend, limits, 'hits_addend');
  if (tooLong(request.domain, limits.maxEntryBytes)) throw new RateLimitRequestError(RateLimitErrorCodes.entryTooLong, `domain is longer than ${limits.maxEntryBytes} bytes`);
  for (let i = 0; i < descriptors.length; i++) {
    const d = descriptors[i]!;
    checkHits(d.hitsAddend, limits, `descriptors[${i}].hits_addend`);
    if (d.entries.length > limits.maxEntries) {
      throw new RateLimitRequestError(RateLimitErrorCodes.tooManyEntries, `descriptors[${i}] has ${d.entries.length} entries; at most ${limits.maxEntries}`);
    }
    for (let j = 0; j < d.entries.length; j++) {
      const e = d.entries[j]!;
      if (tooLong(e.key, limits.maxEntryBytes) || tooLong(e.value, limits.maxEntryBytes)) {
        throw new RateLimitRequestError(RateLimitErrorCodes.entryTooLong, `descriptors[${i}].entries[${j}]: key or value longer than ${limits.maxEntryBytes} bytes`);
      }
    }
  }
}

function checkHits(hits: number | undefined, limits: RequestLimits, path: string): void {
  // `!(<=)` also refuses NaN.
  if (hits !== undefined && !(hits <= limits.maxHitsAddend)) {
    throw new RateLimitRequestError(RateLimitErrorCodes.hitsAddendTooLarge, `${path} ${hits} is larger than ${limits.maxHitsAddend}`);
  }
}

/** UTF-8 length above `maxBytes`; a string of at most maxBytes/3 UTF-16 units cannot be (no encoding needed). */
function tooLong(s: string, maxBytes: number): boolean {
  return s.length * 3 > maxBytes && (s.length > maxBytes || Buffer.byteLength(s, 'utf8') > maxBytes);
}

export function hitsFor(request: CheckRequest, descriptor: CheckDescriptor): number {
  if (descriptor.hitsAddend !== undefined) return descriptor.hitsAddend;
  return request.hitsAddend && request.hitsAddend > 0 ? request.hitsAddend : 1;
}

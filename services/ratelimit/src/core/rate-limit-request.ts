// The decoded ShouldRateLimit request in the form the decision logic needs, and its validation.
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

/** @throws RateLimitRequestError as the reference does for an empty domain or descriptor list. */
export function validateRequest(request: CheckRequest): void {
  if (request.domain === '') throw new RateLimitRequestError(RateLimitErrorCodes.emptyDomain, 'rate limit domain must not be empty');
  if (request.descriptors.length === 0) {
    throw new RateLimitRequestError(RateLimitErrorCodes.emptyDescriptors, 'rate limit descriptor list must not be empty');
  }
}

export function hitsFor(request: CheckRequest, descriptor: CheckDescriptor): number {
  if (descriptor.hitsAddend !== undefined) return descriptor.hitsAddend;
  return request.hitsAddend && request.hitsAddend > 0 ? request.hitsAddend : 1;
}

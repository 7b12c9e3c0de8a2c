import { describe, expect, it } from 'vitest';
import { celActivation, compileCel, type RequestAttributes } from './index.js';

const attributes: RequestAttributes = {
  method: 'GET', path: '/a', query: 'q=1', host: 'api.example', scheme: 'https', headers: { 'user-agent': 'curl/8', referer: 'https://r.example/' },
  protocol: 'HTTP/2', requestId: 'rid', timeMs: Date.UTC(2026, 0, 1), sourceIp: '2001:db8::1', sourcePort: 1234, destinationIp: '10.0.0.2', destinationPort: 8443, mtls: true, requestedServerName: 'api.example',
};
const matches = (expression: string, a: RequestAttributes = attributes): boolean => {
  const compiled = compileCel(expression);
  if (!compiled.ok) throw new Error(compiled.message);
  return compiled.program.matches(a);
};

describe('@gatehouse/cel', () => {
  it('exposes Envoy attribute names and shapes', () => {
    expect(celActivation(attributes)).toMatchObject({
      request: { path: '/a?q=1', url_path: '/a', query: 'q=1', useragent: 'curl/8', referer: 'https://r.example/', id: 'rid', protocol: 'HTTP/2' },
      source: { address: '[2001:db8::1]:1234', port: 1234n },
      destination: { address: '10.0.0.2:8443', port: 8443n },
      connection: { mtls: true, requested_server_name: 'api.example' },
    });
    expect(matches("request.time >= timestamp('2026-01-01T00:00:00Z') && request.scheme == 'https' && destination.port == 8443")).toBe(true);
    expect(matches("request.host.endsWith('.example') && request.useragent.startsWith('curl/')")).toBe(true);
  });
  it('refuses unknown variables, syntax errors and non-boolean types at compile time', () => {
    expect(compileCel('response.code == 200')).toEqual({ ok: false, message: 'Unknown variable: response' });
    expect(compileCel("'a' +")).toMatchObject({ ok: false });
    expect(compileCel("request.path + 'x'")).toMatchObject({ ok: false, message: expect.stringContaining('boolean') });
  });
  it('bounds expression size', () => {
    expect(compileCel(Array.from({ length: 1500 }, () => 'true').join(' && '))).toMatchObject({ ok: false });
  });
  it('is no match on evaluation errors', () => {
    expect(matches("request.headers['absent'] == 'x'")).toBe(false);
    expect(matches("int(request.headers['user-agent']) > 1")).toBe(false);
  });
});

// ClientTrafficPolicy extras: what the vendored Envoy API cannot express is refused by value, by path.
import { describe, expect, it } from 'vitest';
import { translateClientExtras } from './client-traffic-extras.js';
import { PolicyValues } from './policy-values.js';

function translate(spec: object): { extras: ReturnType<typeof translateClientExtras>; problems: string[] } {
  const problems: string[] = [];
  return { extras: translateClientExtras(spec, new PolicyValues(problems)), problems };
}

describe('ClientTrafficPolicy extras', () => {
  it('translates JA3 and refuses JA4 by index, naming the missing Envoy field', () => {
    const { extras, problems } = translate({ tls: { fingerprints: ['JA3', 'JA4'] } });
    expect(extras?.ja3Fingerprint).toBe(true);
    expect(problems).toEqual([expect.stringMatching(/^spec\.tls\.fingerprints\[1\]: JA4 needs TlsInspector\.enable_ja4_fingerprinting/)]);
  });

  it('offers only the session resumption kinds the policy names', () => {
    expect(translate({ tls: { session: {} } }).extras?.sessionResumption).toEqual({ stateless: false, stateful: false });
    expect(translate({ tls: { session: { resumption: { stateful: {} } } } }).extras?.sessionResumption).toEqual({ stateless: false, stateful: true });
  });

  it('keeps header mutations in Envoy Gateway\'s order, lower-cased, and refuses a bad name', () => {
    const { extras, problems } = translate({ headers: { earlyRequestHeaders: { remove: ['X-A'], add: [{ name: 'X-B', value: '' }], set: [{ name: 'bad name', value: 'v' }] } } });
    expect(extras?.earlyRequestHeaders).toEqual([
      { kind: 'append', name: 'x-b', value: '', action: 'APPEND_IF_EXISTS_OR_ADD' },
      { kind: 'remove', name: 'x-a' },
    ]);
    expect(problems).toEqual(['spec.headers.earlyRequestHeaders.set[0].name: "bad name" is not an HTTP header name']);
  });
});

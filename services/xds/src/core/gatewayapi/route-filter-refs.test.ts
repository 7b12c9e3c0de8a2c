// HTTPRouteFilter cookie matches: the Cookie-header expression finds exactly the named cookie with its
// value (anywhere in the header, not as a suffix of another name), ANDed with each of the rule's matches.
import { describe, expect, it } from 'vitest';
import type { GatewayResource } from '../provider/resource-types.js';
import { ResourceIndex } from './resource-index.js';
import { applyExtensionRef } from './route-filter-refs.js';

const filter = (spec: Record<string, unknown>): GatewayResource => ({ apiVersion: 'gateway.envoyproxy.io/v1alpha1', kind: 'HTTPRouteFilter', metadata: { name: 'f', namespace: 'default' }, spec });
const ref = { group: 'gateway.envoyproxy.io', kind: 'HTTPRouteFilter', name: 'f' };

function cookieRegexes(spec: Record<string, unknown>): RegExp[] {
  const rule: Parameters<typeof applyExtensionRef>[0] = { matches: [{ path: { type: 'Prefix', value: '/' }, headers: [], queryParams: [] }] };
  applyExtensionRef(rule, ref, 'spec.rules[0]', { namespace: 'default', index: new ResourceIndex([filter(spec)]) });
  return rule.matches.map((m) => new RegExp(m.headers[0]!.match.value));
}

describe('HTTPRouteFilter cookie matches', () => {
  it('matches the exact cookie wherever it sits in the Cookie header, and nothing that merely ends with its name', () => {
    const [exact] = cookieRegexes({ matches: [{ cookies: [{ name: 'channel', value: 'beta' }] }] });
    expect(['channel=beta', 'a=1; channel=beta', 'channel=beta; b=2', 'a=1;channel=beta;b=2'].map((h) => exact!.test(h))).toEqual([true, true, true, true]);
    expect(['xchannel=beta', 'channel=betamax', 'channel=alpha', 'a=channel=beta'].map((h) => exact!.test(h))).toEqual([false, false, false, false]);
  });

  it('gives each filter match its own Envoy match (OR), regular expressions anchored to the value', () => {
    const [first, second] = cookieRegexes({ matches: [{ cookies: [{ name: 'a', value: 'x.y' }] }, { cookies: [{ name: 't', type: 'RegularExpression', value: '[a-z]+' }] }] });
    expect(first!.test('a=x.y')).toBe(true);
    expect(first!.test('a=xzy')).toBe(false);
    expect(second!.test('s=1; t=abc')).toBe(true);
    expect(second!.test('t=ABC')).toBe(false);
  });

  it('answers 500 with ResolvedRefs=False when the HTTPRouteFilter does not exist', () => {
    const rule: Parameters<typeof applyExtensionRef>[0] = { matches: [] };
    const outcome = applyExtensionRef(rule, { ...ref, name: 'missing' }, 'spec.rules[0]', { namespace: 'default', index: new ResourceIndex([]) });
    expect(outcome.problem).toEqual({ condition: 'ResolvedRefs', reason: 'BackendNotFound', message: 'spec.rules[0]: Unable to translate HTTPRouteFilter: default/missing' });
    expect(rule.directResponse).toEqual({ status: 500 });
  });
});

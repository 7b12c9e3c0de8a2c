import { describe, expect, it } from 'vitest';
import type { Solver } from './resources.js';
import { selectSolver } from './solver-select.js';

const http: Solver = { http01: {} };
const dnsZone: Solver = { selector: { dnsZones: ['example.com'] }, dns01: { webhook: { groupName: '', solverName: '', config: {} } } };
const dnsSubZone: Solver = { selector: { dnsZones: ['shop.example.com'] }, dns01: { webhook: { groupName: '', solverName: 'sub', config: {} } } };
const byName: Solver = { selector: { dnsNames: ['api.shop.example.com'] }, http01: {} };

describe('selectSolver', () => {
  it('uses an unselective solver when nothing more specific matches', () => {
    expect(selectSolver([http, dnsZone], 'www.other.org')).toBe(http);
  });
  it('prefers the longest matching dnsZone', () => {
    expect(selectSolver([http, dnsZone, dnsSubZone], 'www.shop.example.com')).toBe(dnsSubZone);
  });
  it('prefers an exact dnsNames match over zones', () => {
    expect(selectSolver([dnsSubZone, byName], 'api.shop.example.com')).toBe(byName);
  });
  it('only uses DNS-01 for wildcard names', () => {
    expect(selectSolver([http, dnsZone], '*.example.com')).toBe(dnsZone);
    expect(selectSolver([http], '*.example.com')).toBeUndefined();
  });
});

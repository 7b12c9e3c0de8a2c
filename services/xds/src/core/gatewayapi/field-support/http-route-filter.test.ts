// The HTTPRouteFilter field table is complete (every field of the vendored v1.9 CRD has an entry), names
// tests that exist, and is the xds README's HTTPRouteFilter table (UPDATE_GOLDEN=1 rewrites it).
import { describe, expect, it } from 'vitest';
import { crdSpecFields, expectReadmeTable, missingTests } from '../../../testing/field-tables.js';
import { supportOf } from './refused-fields.js';
import { httpRouteFilterFields } from './http-route-filter.js';

const fields = crdSpecFields('HTTPRouteFilter');

describe('HTTPRouteFilter field table', () => {
  it('has an entry for every field of the v1.9 CRD (its own, or a refused ancestor)', () => {
    expect(fields.length).toBeGreaterThan(40);
    expect(fields.filter((field) => supportOf(httpRouteFilterFields, field) === undefined)).toEqual([]);
  });

  it('names only fields the CRD has', () => {
    expect(Object.keys(httpRouteFilterFields).filter((field) => !fields.includes(field))).toEqual([]);
  });

  it('names an existing test for every translated field', () => {
    expect(missingTests(httpRouteFilterFields)).toEqual([]);
  });

  it('is the HTTPRouteFilter table of the xds README', () => {
    expectReadmeTable('http-route-filter-fields', 'HTTPRouteFilter', httpRouteFilterFields);
  });
});

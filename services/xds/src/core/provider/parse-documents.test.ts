import { describe, expect, it } from 'vitest';
import { parseDocuments } from './parse-documents.js';

describe('parseDocuments (the admin API)', () => {
  it('refuses documents with schema errors, naming the line of the field', () => {
    const parsed = parseDocuments('apiVersion: gateway.envoyproxy.io/v1alpha1\nkind: Backend\nmetadata:\n  name: x\nspec:\n  endpoints: nope\n');
    expect(parsed.errors).toEqual([expect.objectContaining({ code: 'GH_XDS_DOCUMENT_INVALID', file: 'request', line: 6 })]);
  });

  it('reports YAML that does not parse', () => {
    expect(parseDocuments('kind: [unclosed').errors).toEqual([expect.objectContaining({ code: 'GH_XDS_YAML_PARSE', file: 'request' })]);
  });
});

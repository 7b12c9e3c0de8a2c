import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toPlainYaml } from './plain-yaml.js';

describe('toPlainYaml', () => {
  it('writes the envoyproxy/ratelimit layout readably', () => {
    const config = { domain: 'default/edge/http', descriptors: [{ key: 'rule-0-match--1', value: 'rule-0-match--1', rate_limit: { unit: 'second', requests_per_unit: 5 } }] };
    expect(toPlainYaml(config)).toBe(
      'domain: default/edge/http\ndescriptors:\n  - key: rule-0-match--1\n    value: rule-0-match--1\n    rate_limit:\n      unit: second\n      requests_per_unit: 5\n',
    );
  });

  it('round-trips tricky values through a YAML parser unchanged', () => {
    const tricky = {
      empty: '',
      words: ['yes', 'No', 'null', '~', 'true', 'on', 'y'],
      numbers: ['10', '1e3', '0x1F', '.5', '-1'],
      punctuation: ['*', '*.example.com', 'a: b', '- x', '#comment', 'x #y', '{a}', '[1]', '"q"', "'s'", '%p', '@at', '`tick`', '!tag', '&anchor', '|', '>'],
      whitespace: [' leading', 'trailing ', 'two\nlines', 'tab\tinside'],
      unicode: 'héllo ✓',
      nested: { list: [[1, 2], [], {}, { a: [{ b: null }] }], obj: { 'key with space': true, 'colon:key': false } },
      htpasswd: 'admin:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=',
      regex: '^t-[0-9]+$',
      numbersAsNumbers: [0, -3, 2.5],
    };
    expect(parse(toPlainYaml(tricky))).toEqual(tricky);
  });
});

import { describe, expect, it } from 'vitest';
import { problemConditions, statusProblems } from './problem-conditions.js';
import type { StatusMap } from './status-types.js';

describe('problem conditions', () => {
  it('lists False conditions and the abnormal-true ones, PartiallyInvalid included', () => {
    const statuses: StatusMap = new Map([
      [
        'HTTPRoute/default/r',
        {
          kind: 'HTTPRoute',
          parents: [
            {
              parentRef: { name: 'web' },
              controllerName: 'c',
              conditions: [
                { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' },
                { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'ok' },
                { type: 'PartiallyInvalid', status: 'True', reason: 'UnsupportedValue', message: 'spec.rules[1]: bad' },
              ],
            },
          ],
        },
      ],
      ['Backend/default/b', { kind: 'Backend', conditions: [{ type: 'Accepted', status: 'False', reason: 'Invalid', message: 'no endpoints' }] }],
    ]);
    expect(problemConditions(statuses.get('HTTPRoute/default/r')!).map((c) => c.type)).toEqual(['PartiallyInvalid']);
    expect(statusProblems(statuses).map((p) => `${p.resource} ${p.type}=${p.status}`)).toEqual(['HTTPRoute/default/r PartiallyInvalid=True', 'Backend/default/b Accepted=False']);
  });
});

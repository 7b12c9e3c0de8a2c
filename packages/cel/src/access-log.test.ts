import { describe, expect, it } from 'vitest';
import { accessLogCelProblem } from './access-log.js';

describe('access log CEL (EnvoyProxy accessLog matches)', () => {
  it("accepts boolean expressions over Envoy's attributes, the response included", () => {
    for (const expression of ['response.code >= 500', "request.headers['x-canary'] == 'true'", "request.path.startsWith('/admin') || upstream.address == ''"]) {
      expect(accessLogCelProblem(expression), expression).toBeUndefined();
    }
  });

  it('names what is wrong with an expression that does not parse, uses an unknown variable, or is not boolean', () => {
    expect(accessLogCelProblem('response.code >=')).toMatch(/Unexpected token/);
    expect(accessLogCelProblem('nope.code == 1')).toBeDefined();
    expect(accessLogCelProblem("'text'")).toMatch(/must be a boolean expression/);
  });
});

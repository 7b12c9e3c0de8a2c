// The Lua check that keeps Envoy from NACKing a listener: LuaJIT's grammar, and an entry point as
// Envoy Gateway requires (a function declaration or an assignment of envoy_on_request/envoy_on_response).
import { describe, expect, it } from 'vitest';
import { describeLuaProblem } from './extension-policy.js';

describe('describeLuaProblem', () => {
  it('accepts scripts that define an entry point, in either form, with LuaJIT syntax', () => {
    expect(describeLuaProblem('function envoy_on_request(h) h:headers():add("x", "1") end')).toBeUndefined();
    expect(describeLuaProblem('envoy_on_response = function(h) local n = #h:body():getBytes(0, 1) end')).toBeUndefined();
    expect(describeLuaProblem('local function helper() goto done ::done:: end\nfunction envoy_on_request(h) helper() end')).toBeUndefined();
  });

  it('refuses a syntax error with its line and column, and a script without an entry point', () => {
    expect(describeLuaProblem('function envoy_on_request(h)\n  h:headers(:add("x", "y")\nend')).toMatch(/^lua syntax error: \[2:12\]/);
    expect(describeLuaProblem('function helper() return 1 end')).toBe('expected one of envoy_on_request() or envoy_on_response() to be defined');
    expect(describeLuaProblem('local function envoy_on_request(h) end')).toBe('expected one of envoy_on_request() or envoy_on_response() to be defined');
  });
});

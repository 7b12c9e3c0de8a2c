// The CEL environment the CRDs' `x-kubernetes-validations` rules run in, as the Kubernetes API server
// builds it: the standard library and macros (cel-js), the strings extension the rules call
// (lowerAscii, split, substring...: cel-js has them), and the Kubernetes extension functions the
// vendored rules use (isIP), with `matches` taking RE2's inline flags. Each distinct rule text is compiled once, on first use: cel-js programs
// are closures, so there is nothing to precompute at build time, and parsing a rule costs microseconds.
import { isIP as nodeIsIP } from 'node:net';
import { Environment } from '@marcbachmann/cel-js';

/** Kubernetes' isIP: an IPv4 or IPv6 address, without a zone and without leading zeros in IPv4 octets (Go's netip). */
function isIP(value: string): boolean {
  if (value.includes('%')) return false;
  return nodeIsIP(value) !== 0;
}

// RE2 patterns as JS RegExps, compiled once each: a leading flag group (`(?i)`, `(?s)`, `(?m)`, also after `^`)
// becomes the RegExp's flags, which JS cannot write inline; \A and \z are ^ and $ without the m flag.
const regexps = new Map<string, RegExp>();

function re2(pattern: string): RegExp {
  let regexp = regexps.get(pattern);
  if (!regexp) {
    const flags = /^(\^?)\(\?([ims]+)\)/.exec(pattern);
    const body = (flags ? flags[1] + pattern.slice(flags[0].length) : pattern).replace(/\\A/g, '^').replace(/\\z/g, '$');
    regexp = new RegExp(body, flags?.[2] ?? '');
    regexps.set(pattern, regexp);
  }
  return regexp;
}

const environment = new Environment({ unlistedVariablesAreDyn: false, homogeneousAggregateLiterals: false })
  .registerVariable('self', 'dyn')
  .registerFunction('isIP(string): bool', isIP)
  .registerFunction('string.re2Matches(string): bool', (value: string, pattern: string) => re2(pattern).test(value));

export type CelEvaluate = (context: { self: unknown }) => unknown;

export type CompiledRule = { readonly ok: true; readonly evaluate: CelEvaluate } | { readonly ok: false; readonly message: string };

const compiled = new Map<string, CompiledRule>();

/** Parses and type-checks `expression` with `self` as dyn; cached by expression text. */
export function compileRule(expression: string): CompiledRule {
  let rule = compiled.get(expression);
  if (!rule) {
    rule = compile(expression);
    compiled.set(expression, rule);
  }
  return rule;
}

// cel-js's has() takes only a field selection on a chain of field selections from an identifier; CEL
// (and so the API server) also takes one on an index, e.g. `has(self[0].matches)`. Every object here
// is a map, where has(m.f) is `'f' in m`: such calls are rewritten to that before parsing.
const HAS_ON_INDEX = /\bhas\(\s*([A-Za-z_]\w*(?:\.\w+|\[[^\]()]*\])*\[[^\]()]*\](?:\.\w+|\[[^\]()]*\])*)\.(\w+)\s*\)/g;

/** The rule as cel-js runs it: has() on an index rewritten, and `matches` with RE2's flag syntax (re2Matches). */
export function rewriteForCelJs(expression: string): string {
  return expression.replace(HAS_ON_INDEX, (_, base: string, field: string) => `('${field}' in ${base})`).replace(/\.matches\(/g, '.re2Matches(');
}

function compile(expression: string): CompiledRule {
  try {
    const parsed = environment.parse(rewriteForCelJs(expression));
    const checked = parsed.check();
    if (!checked.valid) return { ok: false, message: firstLine(checked.error?.message ?? 'does not type-check') };
    return { ok: true, evaluate: parsed as CelEvaluate };
  } catch (error) {
    return { ok: false, message: firstLine(error instanceof Error ? error.message : String(error)) };
  }
}

/** cel-js messages carry a multi-line source excerpt; an issue keeps the first line. */
export function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

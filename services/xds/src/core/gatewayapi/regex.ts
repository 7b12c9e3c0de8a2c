// Envoy compiles safe_regex with RE2 and rejects a whole RouteConfiguration over one bad pattern,
// so patterns are checked here and only the rule using one is dropped. JavaScript's engine stands
// in for RE2, with the constructs RE2 refuses (lookaround, backreferences) refused up front.
const RE2_UNSUPPORTED: ReadonlyArray<[RegExp, string]> = [
  [/\(\?<?[=!]/, 'lookaround assertions are not supported by RE2'],
  [/\\[1-9]|\\k</, 'backreferences are not supported by RE2'],
  [/\(\?>/, 'atomic groups are not supported by RE2'],
];

/** Why `pattern` is not a usable RE2 expression, or undefined when it is. */
export function describeRegexProblem(pattern: string): string | undefined {
  for (const [construct, message] of RE2_UNSUPPORTED) if (construct.test(pattern)) return `regular expression "${pattern}": ${message}`;
  try {
    new RegExp(pattern, 'u');
  } catch (err) {
    return `regular expression "${pattern}" is invalid: ${err instanceof Error ? err.message.replace(/^Invalid regular expression: /, '') : String(err)}`;
  }
  return undefined;
}

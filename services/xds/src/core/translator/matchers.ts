// Envoy StringMatcher from the IR's string matches.
import type { StringMatchIR } from '../ir/types.js';

export function stringMatcher(match: StringMatchIR): Record<string, unknown> {
  switch (match.type) {
    case 'Exact':
      return { exact: match.value };
    case 'Prefix':
      return { prefix: match.value };
    case 'RegularExpression':
      return { safe_regex: { regex: match.value } };
  }
}

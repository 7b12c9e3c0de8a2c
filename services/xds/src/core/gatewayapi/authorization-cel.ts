// A SecurityPolicy's authorization rules' `cel` expressions, compiled here with the authz service's own
// compiler (@gatehouse/cel) so that an expression authz would refuse makes the policy Accepted=False with
// the compiler's message, before anything is published.
import { compileCel } from '@gatehouse/cel';
import { objectsOf } from './shape.js';

export function celProblems(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  objectsOf<{ cel?: unknown }>((spec.authorization as { rules?: unknown } | undefined)?.rules).forEach((rule, i) => {
    if (rule.cel === undefined) return;
    const compiled = compileCel(String(rule.cel));
    if (!compiled.ok) problems.push(`spec.authorization.rules[${i}].cel: CEL expression does not compile: ${compiled.message}`);
  });
  return problems;
}

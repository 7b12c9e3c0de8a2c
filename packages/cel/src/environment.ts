// Compiling a SecurityPolicy authorization rule's `cel` expression: parsed and type-checked against the
// Envoy attribute variables (./attributes.ts), with structural limits so one policy cannot make every
// check slow. xds runs this at translation time (a bad expression is the policy's Accepted=False
// message); authz runs it again when it loads the policy and evaluates the program per request.
import { Environment } from '@marcbachmann/cel-js';
import { celActivation, type RequestAttributes } from './attributes.js';

/** The top-level attributes Envoy exposes to CEL before the response (response.* is not decidable yet). */
export const CEL_VARIABLES = ['request', 'source', 'destination', 'connection', 'metadata', 'filter_state'] as const;

const environment = CEL_VARIABLES.reduce(
  (env, name) => env.registerVariable(name, 'map<string, dyn>'),
  new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    // The CRD caps an expression at 4096 characters; these keep its evaluation cost small too.
    limits: { maxAstNodes: 2000, maxDepth: 48, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
  }),
);

export interface CelProgram {
  readonly expression: string;
  /** True only when the expression evaluates to boolean true; false, other values and errors are no match. */
  matches(attributes: RequestAttributes): boolean;
}

export type CelCompileResult = { readonly ok: true; readonly program: CelProgram } | { readonly ok: false; readonly message: string };

export function compileCel(expression: string): CelCompileResult {
  let evaluate: (context: Record<string, unknown>) => unknown;
  try {
    const parsed = environment.parse(expression);
    const checked = parsed.check();
    if (!checked.valid) return { ok: false, message: oneLine(checked.error?.message ?? 'does not type-check') };
    if (checked.type !== 'bool' && checked.type !== 'dyn') return { ok: false, message: `must be a boolean expression, not ${checked.type ?? 'unknown'}` };
    evaluate = parsed;
  } catch (error) {
    return { ok: false, message: oneLine(error instanceof Error ? error.message : String(error)) };
  }
  return {
    ok: true,
    program: {
      expression,
      matches(attributes) {
        try {
          return evaluate(celActivation(attributes)) === true;
        } catch {
          return false; // an evaluation error (a missing header, a type mismatch) is no match, as in Envoy Gateway
        }
      },
    },
  };
}

/** cel-js messages carry a multi-line source excerpt; a status message keeps the first line. */
function oneLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

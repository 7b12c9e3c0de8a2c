// Checking an access log filter's CEL expression (EnvoyProxy telemetry.accessLog.settings[].matches, which
// Envoy evaluates with its CEL access log filter): parsed and type-checked against Envoy's attribute
// variables, the response's included (a log is written after it). xds checks it at translation time so a
// bad expression is the EnvoyProxy's Accepted=False message, not a NACK.
import { Environment } from '@marcbachmann/cel-js';
import { CEL_VARIABLES } from './environment.js';

const ACCESS_LOG_VARIABLES = [...CEL_VARIABLES, 'response', 'upstream', 'xds'] as const;

const environment = ACCESS_LOG_VARIABLES.reduce(
  (env, name) => env.registerVariable(name, 'map<string, dyn>'),
  new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 2000, maxDepth: 48, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
  }),
);

/** Why Envoy's CEL access log filter could not use the expression, or undefined when it can. */
export function accessLogCelProblem(expression: string): string | undefined {
  try {
    const checked = environment.parse(expression).check();
    if (!checked.valid) return (checked.error?.message ?? 'does not type-check').split('\n')[0]!.trim();
    if (checked.type !== 'bool' && checked.type !== 'dyn') return `must be a boolean expression, not ${checked.type ?? 'unknown'}`;
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
  }
}

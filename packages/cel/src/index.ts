// @gatehouse/cel: the CEL of SecurityPolicy authorization rules, shared by xds (checks at translation
// time) and authz (evaluates per request).
export { celActivation, JWT_METADATA_NAMESPACE, type RequestAttributes } from './attributes.js';
export { CEL_VARIABLES, compileCel, type CelCompileResult, type CelProgram } from './environment.js';
export { accessLogCelProblem } from './access-log.js';

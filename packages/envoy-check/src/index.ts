export { checkEnvoyResource, encodeEnvoyResource, EnvoyResourceInvalidError, type EnvoyCheckProblem } from './check-envoy-resource.js';

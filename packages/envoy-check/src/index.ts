export { checkEnvoyResource, type EnvoyCheckProblem } from './check-envoy-resource.js';

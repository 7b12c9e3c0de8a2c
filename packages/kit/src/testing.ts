// Test helpers other packages' tests import as `@gatehouse/kit/testing` (not part of the runtime surface).
export { makeConfigMapDir, swapConfigMap } from './config/testing/config-map-dir.js';
export { TEST_CONTROL_KEY, testControlKeyring, testSealedCodec } from './config/testing/control-key.js';
export { makeTestPki, type TestPki, type TestLeaf } from './tls/testing/test-pki.js';

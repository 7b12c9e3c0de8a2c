// The router filter: always last.
import { EnvoyNames, EnvoyTypes } from '../envoy-types.js';
import type { HttpFilterTranslator } from './http-filter.js';

export const routerFilter: HttpFilterTranslator = {
  name: EnvoyNames.router,
  buildFilter: () => ({ name: EnvoyNames.router, typed_config: { '@type': EnvoyTypes.router } }),
  patchRoute: () => undefined,
  resources: () => ({ clusters: [] }),
};

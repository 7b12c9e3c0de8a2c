// ClientTrafficPolicy grpc.enableWeb: the grpc_web filter, so browsers' gRPC-Web calls reach gRPC
// backends as gRPC.
import type { HttpFilterTranslator } from './http-filter.js';

const GRPC_WEB_NAME = 'envoy.filters.http.grpc_web';

export const grpcWebFilter: HttpFilterTranslator = {
  name: GRPC_WEB_NAME,
  buildFilter: (chain) => (chain.client?.grpcWeb ? { name: GRPC_WEB_NAME, typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWeb' } } : undefined),
  patchRoute: () => undefined,
  resources: () => ({ clusters: [] }),
};

// Response compression (BackendTrafficPolicy compressor / compression): one compressor filter per
// algorithm a chain's routes use, disabled in the HCM and enabled per route (CompressorPerRoute), so
// only the targeted routes compress. Envoy picks among them by the client's Accept-Encoding.
import type { CompressorType } from '../../ir/types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const COMPRESSOR_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor';
const PER_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.CompressorPerRoute';
const LIBRARY: Record<CompressorType, { name: string; type: string }> = {
  Gzip: { name: 'envoy.compression.gzip.compressor', type: 'type.googleapis.com/envoy.extensions.compression.gzip.compressor.v3.Gzip' },
  Brotli: { name: 'envoy.compression.brotli.compressor', type: 'type.googleapis.com/envoy.extensions.compression.brotli.compressor.v3.Brotli' },
  Zstd: { name: 'envoy.compression.zstd.compressor', type: 'type.googleapis.com/envoy.extensions.compression.zstd.compressor.v3.Zstd' },
};

function compressorFilter(type: CompressorType): HttpFilterTranslator {
  const name = `envoy.filters.http.compressor.${type.toLowerCase()}`;
  const library = LIBRARY[type];
  return {
    name,
    buildFilter(chain) {
      if (!chainRoutes(chain).some((r) => r.compressors?.includes(type))) return undefined;
      return { name, typed_config: { '@type': COMPRESSOR_TYPE, compressor_library: { name: library.name, typed_config: { '@type': library.type } } }, disabled: true };
    },
    patchRoute(route, ir) {
      if (ir?.compressors?.includes(type) && route.route) setPerFilterConfig(route, name, { '@type': PER_ROUTE_TYPE, overrides: {} });
    },
    resources: () => ({ clusters: [] }),
  };
}

/** In the order Envoy Gateway lists them. */
export const compressorFilters: readonly HttpFilterTranslator[] = (['Brotli', 'Gzip', 'Zstd'] as const).map(compressorFilter);

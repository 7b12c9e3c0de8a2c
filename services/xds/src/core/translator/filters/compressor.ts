// Response compression (BackendTrafficPolicy compressor / compression): one compressor filter per
// algorithm a chain's routes use, disabled in the HCM and enabled per route (CompressorPerRoute), so
// only the targeted routes compress. Envoy picks among them by the client's Accept-Encoding. A
// minContentLength is a filter setting, so each length a route asks for has its own filter
// ("<filter>.min-length-<bytes>"), and the route enables that one.
import type { CompressorType, RouteIR } from '../../ir/types.js';
import type { EnvoyObject } from '../envoy-types.js';
import { chainRoutes, setPerFilterConfig, type HttpFilterTranslator } from './http-filter.js';

const COMPRESSOR_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor';
const PER_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.compressor.v3.CompressorPerRoute';
const LIBRARY: Record<CompressorType, { name: string; type: string }> = {
  Gzip: { name: 'envoy.compression.gzip.compressor', type: 'type.googleapis.com/envoy.extensions.compression.gzip.compressor.v3.Gzip' },
  Brotli: { name: 'envoy.compression.brotli.compressor', type: 'type.googleapis.com/envoy.extensions.compression.brotli.compressor.v3.Brotli' },
  Zstd: { name: 'envoy.compression.zstd.compressor', type: 'type.googleapis.com/envoy.extensions.compression.zstd.compressor.v3.Zstd' },
};

/** The route's minContentLength for this type, or undefined for Envoy's default (30 bytes). */
function minLength(route: RouteIR, type: CompressorType): number | undefined {
  return route.compressorMinLengths?.find((l) => l.type === type)?.bytes;
}

function compressorFilter(type: CompressorType): HttpFilterTranslator {
  const baseName = `envoy.filters.http.compressor.${type.toLowerCase()}`;
  const nameFor = (length: number | undefined) => (length === undefined ? baseName : `${baseName}.min-length-${length}`);
  const library = LIBRARY[type];
  return {
    name: baseName,
    buildFilter(chain) {
      const lengths = new Set<number | undefined>();
      for (const route of chainRoutes(chain)) if (route.compressors?.includes(type)) lengths.add(minLength(route, type));
      if (lengths.size === 0) return undefined;
      // Envoy's default first, then by length, so the order is stable (sort() would put undefined last).
      const ordered = [...(lengths.has(undefined) ? [undefined] : []), ...[...lengths].filter((l): l is number => l !== undefined).sort((x, y) => x - y)];
      return ordered.map((length): EnvoyObject => ({
        name: nameFor(length),
        typed_config: {
          '@type': COMPRESSOR_TYPE,
          compressor_library: { name: library.name, typed_config: { '@type': library.type } },
          ...(length !== undefined ? { response_direction_config: { common_config: { min_content_length: length } } } : {}),
        },
        disabled: true,
      }));
    },
    patchRoute(route, ir) {
      if (ir?.compressors?.includes(type) && route.route) setPerFilterConfig(route, nameFor(minLength(ir, type)), { '@type': PER_ROUTE_TYPE, overrides: {} });
    },
    resources: () => ({ clusters: [] }),
  };
}

/** In the order Envoy Gateway lists them. */
export const compressorFilters: readonly HttpFilterTranslator[] = (['Brotli', 'Gzip', 'Zstd'] as const).map(compressorFilter);

export type FieldSupport = { readonly status: 'translated'; readonly envoy: string; readonly test: string } | { readonly status: 'refused'; readonly reason: string };

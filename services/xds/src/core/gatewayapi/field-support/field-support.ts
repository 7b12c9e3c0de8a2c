// How Gatehouse handles one field of an Envoy Gateway kind: translated into Envoy configuration
// (what Envoy gets, and the test that shows it), or refused with a status that names it.
export type FieldSupport = { readonly status: 'translated'; readonly envoy: string; readonly test: string } | { readonly status: 'refused'; readonly reason: string };

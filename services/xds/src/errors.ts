// Every error code the xds service reports (logs, /status, admin API answers, gRPC status), in one
// catalogue; errors.test.ts checks it against the README's "Error codes" table both ways.

export const XdsErrorCodes = {
  /** A watched file is not valid YAML; its last good version keeps serving. */
  yamlParse: 'GH_XDS_YAML_PARSE',
  /** A document is not a mapping, or lacks apiVersion/kind/metadata.name; admin API 400. */
  documentInvalid: 'GH_XDS_DOCUMENT_INVALID',
  /** A kind or apiVersion xds does not translate. */
  kindUnsupported: 'GH_XDS_KIND_UNSUPPORTED',
  /** The same resource in two files: the first file (by path) wins. */
  duplicateResource: 'GH_XDS_DUPLICATE_RESOURCE',
  /** A resource fails its schema (the vendored CRDs). */
  schema: 'GH_XDS_SCHEMA',
  /** A resource the Gateway API stage does not accept (Accepted=False). */
  resourceRefused: 'GH_XDS_RESOURCE_REFUSED',
  /** A snapshot names a route configuration or EDS endpoints it does not hold. */
  snapshotInconsistent: 'GH_XDS_SNAPSHOT_INCONSISTENT',
  /** The translation produced two Envoy resources of one type with one name. */
  duplicateEnvoyResource: 'GH_XDS_DUPLICATE_ENVOY_RESOURCE',
  /** The translation produced an Envoy resource without a name. */
  resourceWithoutName: 'GH_XDS_RESOURCE_WITHOUT_NAME',
  /** A snapshot refused for another reason. */
  snapshotRefused: 'GH_XDS_SNAPSHOT_REFUSED',
  /** A translated resource does not encode as its Envoy proto. */
  envoyJsonInvalid: 'GH_XDS_ENVOY_JSON_INVALID',
  /** The first ADS request has no node.cluster; gRPC INVALID_ARGUMENT. */
  nodeClusterMissing: 'GH_XDS_NODE_CLUSTER_MISSING',
  /** The client certificate's identity may not open the node.cluster it asked for; gRPC PERMISSION_DENIED. */
  streamForbidden: 'GH_XDS_STREAM_FORBIDDEN',
  /** The admin API was asked for a node cluster without snapshot; 404. */
  nodeClusterUnknown: 'GH_XDS_NODE_CLUSTER_UNKNOWN',
  /** The admin API was asked to delete a resource it did not apply; 404. */
  resourceNotFound: 'GH_XDS_RESOURCE_NOT_FOUND',
  /** The console was asked for a file it does not have (or was not built); 404. */
  consoleAssetNotFound: 'GH_XDS_CONSOLE_ASSET_NOT_FOUND',
  /** A console certificate action while CONSOLE_CERTS_URL is unset; 404. */
  consoleCertsNotConfigured: 'GH_XDS_CONSOLE_CERTS_NOT_CONFIGURED',
  /** A console certificate action the certs service did not answer; 502. */
  consoleCertsUnreachable: 'GH_XDS_CONSOLE_CERTS_UNREACHABLE',
  /** An admin API body over the size cap (1 MiB); 413, nothing parsed. */
  adminBodyTooLarge: 'GH_XDS_ADMIN_BODY_TOO_LARGE',
  /** An admin API body nesting mappings and sequences past the cap (32); 400, nothing applied. */
  adminBodyTooDeep: 'GH_XDS_ADMIN_BODY_TOO_DEEP',
  /** An admin API body with a mapping or sequence of more than 1000 entries; 400, nothing applied. */
  adminCollectionTooLarge: 'GH_XDS_ADMIN_COLLECTION_TOO_LARGE',
  /** An admin API body with more YAML documents than the cap (500); 400, nothing applied. */
  adminTooManyDocuments: 'GH_XDS_ADMIN_TOO_MANY_DOCUMENTS',
  /** An ADS request over the size cap (4 MiB); gRPC RESOURCE_EXHAUSTED, the stream ends. */
  requestTooLarge: 'GH_XDS_REQUEST_TOO_LARGE',
} as const;

export type XdsErrorCode = (typeof XdsErrorCodes)[keyof typeof XdsErrorCodes];

/** An error with a stable code; the message is "<code>: <detail>". */
export class XdsError extends Error {
  constructor(
    readonly code: XdsErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'XdsError';
  }
}

// A resource applied through the admin API as Redis stores it: its key and the YAML document
// without Gatehouse's annotations (where it was read from, schema issues).
import { stringify } from 'yaml';
import { resourceKey, type GatewayResource } from './resource-types.js';

export interface StoredResource {
  /** "<Kind>/<namespace>/<name>" */
  key: string;
  yaml: string;
}

export function toStoredResource(resource: GatewayResource): StoredResource {
  const { source: _source, issues: _issues, warnings: _warnings, ...document } = resource;
  return { key: resourceKey(resource), yaml: stringify(document) };
}

// YAML documents sent to the admin API, checked like files (parse, shape, schema). Every document
// must be valid for the request to be accepted, so the problems come back as one list.
import { XdsErrorCodes } from '../../errors.js';
import { loadResourcesFromFiles } from './load-files.js';
import { resourceKey, type GatewayResource } from './resource-types.js';

export interface ParsedDocuments {
  resources: GatewayResource[];
  /** Parse and schema problems; a request with any is refused. */
  errors: Array<{ code: string; file: string; line: number; message: string }>;
}

export function parseDocuments(text: string, origin = 'request'): ParsedDocuments {
  const loaded = loadResourcesFromFiles([{ path: origin, text }]);
  const errors: ParsedDocuments['errors'] = loaded.fileErrors.map(({ code, file, line, message }) => ({ code, file, line, message }));
  for (const resource of loaded.resources) {
    for (const issue of resource.issues ?? []) {
      errors.push({
        code: XdsErrorCodes.documentInvalid,
        file: origin,
        line: issue.line ?? (resource.source?.kind === 'file' ? resource.source.line : 1),
        message: issue.formatted ?? `${resourceKey(resource)}: ${issue.path}: ${issue.message}`,
      });
    }
  }
  return { resources: loaded.resources, errors };
}

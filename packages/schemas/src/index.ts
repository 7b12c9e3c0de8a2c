export { validateResource, type SchemaIssue, type ValidateOptions } from './validate-resource.js';
export { findCrdSchema, knownKinds, servedVersions, crdsDir, type CrdVersionSchema } from './crd-catalog.js';
export { parseYamlFile, YAML_SYNTAX_CODE, type ParsedYamlFile, type YamlDocument, type YamlSyntaxError } from './yaml-documents.js';
export { formatIssue, formatConfigIssue, type ConfigIssue, type ResourceIssueLocation } from './format-issue.js';
export { structuralToJsonSchema } from './structural-to-json-schema.js';
export { composeSpecPath } from './compose-spec.js';

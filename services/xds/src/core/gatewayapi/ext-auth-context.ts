// SecurityPolicy extAuth.contextExtensions: each value inline, or read from a ConfigMap or Secret key of
// the policy's namespace (valueRef), as Envoy Gateway resolves them. A reference that does not resolve
// is a problem naming the extension (the policy is Accepted=False), never an empty value.
import type { HeaderValueIR } from '../ir/types.js';
import type { GatewayResource } from '../provider/resource-types.js';
import type { ResourceIndex } from './resource-index.js';

export interface ContextExtensionSpec {
  name: string;
  type?: string;
  value?: string;
  valueRef?: { group?: string; kind?: string; name?: string; key?: string };
}

export function resolveContextExtensions(specs: ContextExtensionSpec[], namespace: string, index: ResourceIndex): HeaderValueIR[] | string {
  const resolved: HeaderValueIR[] = [];
  for (const [i, e] of specs.entries()) {
    if (!e.valueRef) {
      resolved.push({ name: e.name, value: e.value ?? '' });
      continue;
    }
    const { kind = '', name = '', key = '' } = e.valueRef;
    const at = `spec.extAuth.contextExtensions[${i}].valueRef`;
    if (kind !== 'ConfigMap' && kind !== 'Secret') return `${at}: kind ${kind} is not ConfigMap or Secret`;
    const source = index.get(kind, namespace, name);
    if (!source || source.issues?.length) return `${at}: ${kind} ${namespace}/${name} does not exist`;
    const value = kind === 'Secret' ? secretValue(source, key) : (source as { data?: Record<string, unknown> }).data?.[key];
    if (typeof value !== 'string') return `${at}: ${kind} ${namespace}/${name} has no key "${key}"`;
    resolved.push({ name: e.name, value });
  }
  return resolved;
}

/** A Secret key's value: stringData as is, data base64-decoded. */
function secretValue(secret: GatewayResource, key: string): string | undefined {
  const text = secret.stringData?.[key];
  if (typeof text === 'string') return text;
  const encoded = secret.data?.[key];
  return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}

// Services are DNS names here (service-backends.ts); a `v1/Service` document in the YAML is optional.
// When one is declared, its ports are what Kubernetes would have: a backendRef's port must be one of
// them, and a BackendTLSPolicy's sectionName names one by its name.
import { objectsOf } from './shape.js';
import type { ResourceIndex } from './resource-index.js';

export interface ServicePort {
  name?: string;
  port: number;
}

/** The ports of Service <namespace>/<name> when the YAML declares it (and it is valid), else undefined. */
export function declaredServicePorts(index: ResourceIndex, namespace: string, name: string): ServicePort[] | undefined {
  const service = index.get('Service', namespace, name);
  if (!service || service.issues?.length) return undefined;
  return objectsOf<ServicePort>((service.spec as { ports?: unknown } | undefined)?.ports);
}

// Status as the Gateway API defines it (conditions with type/status/reason/message), without
// lastTransitionTime: translation is pure and deterministic, the server side stamps times.

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  /** metadata.generation of the resource the condition was computed from, when it has one. */
  observedGeneration?: number;
}

/** A parentRef (spec) and the parent a status reports on: one shape. */
export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface ListenerStatus {
  name: string;
  attachedRoutes: number;
  supportedKinds: Array<{ group: string; kind: string }>;
  conditions: Condition[];
}

export type ResourceStatus =
  | { kind: 'GatewayClass'; conditions: Condition[] }
  | { kind: 'Gateway'; conditions: Condition[]; listeners: ListenerStatus[]; addresses?: Array<{ type: string; value: string }>; attachedListenerSets?: number }
  | { kind: 'ListenerSet'; conditions: Condition[]; listeners: ListenerStatus[] }
  | { kind: 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'TLSRoute' | 'UDPRoute'; parents: Array<{ parentRef: ParentReference; controllerName: string; conditions: Condition[] }> }
  | { kind: 'SecurityPolicy' | 'BackendTrafficPolicy' | 'ClientTrafficPolicy' | 'BackendTLSPolicy' | 'EnvoyExtensionPolicy'; ancestors: Array<{ ancestorRef: ParentReference; controllerName: string; conditions: Condition[] }> }
  | { kind: 'EnvoyPatchPolicy' | 'EnvoyProxy'; ancestors: Array<{ ancestorRef: ParentReference; controllerName: string; conditions: Condition[] }> }
  | { kind: 'Backend' | 'ReferenceGrant' | 'Secret' | 'ConfigMap' | 'Namespace' | 'Service' | 'HTTPRouteFilter'; conditions: Condition[] };

/** Keyed "<Kind>/<namespace>/<name>". `warnings`: notes that do not stop translation (a deprecated apiVersion). */
export type StatusMap = Map<string, ResourceStatus & { warnings?: string[] }>;

// Builds @grpc/grpc-js service definitions straight from the shared protobufjs root, so servers and
// clients use exactly the same message types as the rest of the suite (one root, no second loader).
import type { ServiceDefinition, MethodDefinition } from '@grpc/grpc-js';
import type protobuf from 'protobufjs';
import { protoRoot, toObjectOptions } from './proto-root.js';

function serializerFor(type: protobuf.Type) {
  return (value: object): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish());
}

function deserializerFor(type: protobuf.Type) {
  return (bytes: Buffer): object => type.toObject(type.decode(bytes), toObjectOptions);
}

/** `fullServiceName` e.g. "envoy.service.ratelimit.v3.RateLimitService". */
export function grpcServiceDefinition(fullServiceName: string): ServiceDefinition {
  const service = protoRoot().lookupService(fullServiceName);
  const definition: Record<string, MethodDefinition<object, object>> = {};
  for (const method of service.methodsArray) {
    method.resolve();
    const requestType = method.resolvedRequestType!;
    const responseType = method.resolvedResponseType!;
    const impl: MethodDefinition<object, object> = {
      path: `/${fullServiceName}/${method.name}`,
      requestStream: method.requestStream ?? false,
      responseStream: method.responseStream ?? false,
      requestSerialize: serializerFor(requestType),
      requestDeserialize: deserializerFor(requestType),
      responseSerialize: serializerFor(responseType),
      responseDeserialize: deserializerFor(responseType),
      originalName: method.name,
    };
    definition[method.name] = impl;
  }
  return definition as ServiceDefinition;
}

/** Well-known service names, in one place. */
export const ServiceNames = {
  aggregatedDiscovery: 'envoy.service.discovery.v3.AggregatedDiscoveryService',
  authorization: 'envoy.service.auth.v3.Authorization',
  rateLimit: 'envoy.service.ratelimit.v3.RateLimitService',
  health: 'grpc.health.v1.Health',
} as const;

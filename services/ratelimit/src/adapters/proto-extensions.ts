// The Envoy protos vendored with @grpc/grpc-js-xds predate two RLS additions Envoy sends today:
// RateLimitDescriptor.hits_addend (field 3, UInt64Value) and the WEEK unit (7). Without them
// protobufjs would drop a descriptor's hits_addend (including 0, "check without counting").
// Added to the shared root of THIS process before the gRPC service definition is built.
// TODO(contracts): move into packages/contracts once its vendored Envoy API is updated.
import { protoRoot } from '@gatehouse/contracts';
import protobuf from 'protobufjs';

export function extendRateLimitProtos(): void {
  const root = protoRoot();
  const descriptor = root.lookupType('envoy.extensions.common.ratelimit.v3.RateLimitDescriptor');
  if (!descriptor.fields.hits_addend) {
    descriptor.add(new protobuf.Field('hits_addend', 3, 'google.protobuf.UInt64Value'));
    root.resolveAll();
  }
  for (const enumName of ['envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit', 'envoy.type.v3.RateLimitUnit']) {
    const unit = root.lookupEnum(enumName);
    if (unit.values.WEEK === undefined) unit.add('WEEK', 7);
  }
}

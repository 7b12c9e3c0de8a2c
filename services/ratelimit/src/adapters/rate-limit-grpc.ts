// envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit over grpc-js.
import { grpcServiceDefinition, ServiceNames } from '@gatehouse/contracts';
import type { RateLimitRequest__Output } from '@gatehouse/contracts/generated/envoy/service/ratelimit/v3/RateLimitRequest';
import { status, type sendUnaryData, type Server, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from '@gatehouse/kit';
import type { RateLimitService } from '../core/rate-limit-service.js';
import { answerToWire, checkRequestFromWire } from '../core/wire-mapping.js';
import { RateLimitErrorCodes, RateLimitRequestError } from '../errors.js';
import { extendRateLimitProtos } from './proto-extensions.js';

export interface RateLimitGrpcOptions {
  readonly service: RateLimitService;
  readonly logger: Pick<Logger, 'warn'>;
  /** Called with the duration of every answered call, in seconds. */
  readonly observeDuration?: (seconds: number) => void;
}

export function rateLimitImplementation(options: RateLimitGrpcOptions): UntypedServiceImplementation {
  return {
    ShouldRateLimit(call: ServerUnaryCall<RateLimitRequest__Output, unknown>, callback: sendUnaryData<unknown>) {
      const started = performance.now();
      let request;
      try {
        request = checkRequestFromWire(call.request);
      } catch (err) {
        callback({ code: status.INVALID_ARGUMENT, details: err instanceof Error ? err.message : String(err) });
        return;
      }
      options.service.shouldRateLimit(request).then(
        (answer) => {
          options.observeDuration?.((performance.now() - started) / 1000);
          callback(null, answerToWire(answer));
        },
        (err: unknown) => {
          if (err instanceof RateLimitRequestError) {
            callback({ code: status.INVALID_ARGUMENT, details: `${err.code}: ${err.message}` });
            return;
          }
          options.logger.warn({ err }, 'ShouldRateLimit failed');
          callback({ code: status.INTERNAL, details: `${RateLimitErrorCodes.internal}: internal error` });
        },
      );
    },
  };
}

export function addRateLimitService(server: Server, options: RateLimitGrpcOptions): void {
  extendRateLimitProtos();
  server.addService(grpcServiceDefinition(ServiceNames.rateLimit), rateLimitImplementation(options));
}

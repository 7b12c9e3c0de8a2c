// The service addresses translation needs, from the same variables the xds service reads.
import type { ServiceEndpoint, TranslateOptions } from '@gatehouse/xds/core';
import type { CliIo } from './cli-io.js';
import { UsageError } from './cli-io.js';

function endpoint(io: CliIo, variable: string, clusterName: string, fallback: string): ServiceEndpoint {
  const value = io.env[variable] || fallback;
  const match = /^(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  if (!match) throw new UsageError(`${variable}: "${value}" is not host:port`);
  return { clusterName, host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

export function translateOptionsFromEnv(io: CliIo): TranslateOptions {
  return {
    controllerName: io.env['GATEWAY_CONTROLLER_NAME'] || 'gatehouse.dev/gateway-controller',
    serviceDnsTemplate: io.env['XDS_SERVICE_DNS_TEMPLATE'] || '{name}',
    authz: endpoint(io, 'AUTHZ_ADDRESS', 'gatehouse-authz', '127.0.0.1:9001'),
    rateLimit: endpoint(io, 'RATELIMIT_ADDRESS', 'gatehouse-ratelimit', '127.0.0.1:8081'),
    certs: endpoint(io, 'CERTS_HTTP01_ADDRESS', 'gatehouse-certs', '127.0.0.1:8089'),
    // As xds reads it (env.bool): validate and translate judge EnvoyPatchPolicies as the service would.
    ...(/^(true|1|yes)$/i.test(io.env['XDS_ENABLE_ENVOY_PATCH_POLICY'] ?? '') ? { enableEnvoyPatchPolicy: true } : {}),
  };
}

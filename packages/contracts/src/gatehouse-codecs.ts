// Codecs for the gatehouse.v1 messages that cross Redis between services.
import type { AuthzPoliciesPublished, AuthzPoliciesPublished__Output } from './generated/gatehouse/v1/AuthzPoliciesPublished.js';
import type { CertificateIssued, CertificateIssued__Output } from './generated/gatehouse/v1/CertificateIssued.js';
import type { CertificateWanted, CertificateWanted__Output } from './generated/gatehouse/v1/CertificateWanted.js';
import type { GatewayConfigChanged, GatewayConfigChanged__Output } from './generated/gatehouse/v1/GatewayConfigChanged.js';
import type { RateLimitConfigPublished, RateLimitConfigPublished__Output } from './generated/gatehouse/v1/RateLimitConfigPublished.js';
import { messageCodec } from './message-codec.js';

export const certificateWantedCodec = messageCodec<CertificateWanted, CertificateWanted__Output>('gatehouse.v1.CertificateWanted');
export const certificateIssuedCodec = messageCodec<CertificateIssued, CertificateIssued__Output>('gatehouse.v1.CertificateIssued');
export const rateLimitConfigPublishedCodec = messageCodec<RateLimitConfigPublished, RateLimitConfigPublished__Output>(
  'gatehouse.v1.RateLimitConfigPublished',
);
export const authzPoliciesPublishedCodec = messageCodec<AuthzPoliciesPublished, AuthzPoliciesPublished__Output>(
  'gatehouse.v1.AuthzPoliciesPublished',
);
export const gatewayConfigChangedCodec = messageCodec<GatewayConfigChanged, GatewayConfigChanged__Output>(
  'gatehouse.v1.GatewayConfigChanged',
);

export { ContractDecodeError } from './decode-error.js';
export { messageCodec, type MessageCodec, type EncodedJobData } from './message-codec.js';
export {
  authzPoliciesPublishedCodec,
  certificateIssuedCodec,
  certificateWantedCodec,
  gatewayConfigChangedCodec,
  rateLimitConfigPublishedCodec,
} from './gatehouse-codecs.js';
export { packAny, unpackAny, typeUrlOf, TYPE_URL_PREFIX, type PackedAny } from './any.js';
export { grpcServiceDefinition, ServiceNames } from './grpc-service.js';
export { protoRoot, lookupMessage, toObjectOptions } from './proto-root.js';
export { protoIncludeDirs } from './include-dirs.js';
export { TypeUrls, type ResourceTypeUrl } from './type-urls.js';
export { FanoutChannels, QueueNames } from './channels.js';
export { RATE_LIMIT_COST_ENTRY_KEY } from './ratelimit-cost.js';
export {
  encryptPrivateKey,
  decryptPrivateKey,
  parseEncryptionKey,
  encryptionKeyId,
  KeyEnvelopeError,
  type KeyEnvelopeErrorCode,
  type EncryptionKeyInput,
  type DecryptOptions,
} from './key-envelope.js';
export {
  seal,
  open,
  sealJson,
  openJson,
  openJsonOrdered,
  openOrdered,
  nextGeneration,
  replayedError,
  isSealedCodec,
  sealedCodec,
  parseControlKey,
  controlKeyId,
  controlKeyring,
  deriveSubkey,
  SealedEnvelopeError,
  SEAL_PURPOSES,
  type SealPurpose,
  type SealMode,
  type SealContext,
  type ControlKey,
  type ControlKeyring,
  type SealedEnvelopeErrorCode,
  type SealedCodec,
  type OpenedEnvelope,
} from './sealed-envelope.js';
export { SealedUses } from './sealed-uses.js';
export { formatIdentity, parseIdentity, gatewayNodeCluster, type Identity } from './identity.js';
export { DEFAULT_ENVOY_SDS_DIR, DEFAULT_PKI_DIR, ENVOY_SDS_SECRETS, envoyPkiFiles, envoySdsFiles, envoySdsFilesFor } from './envoy-tls-files.js';

// @gatehouse/pki: the deployment's small PKI. A CA, and one certificate per component with its identity
// in a URI SAN. Pure (WebCrypto, no file or network I/O): the CLI and the deploy scripts write the files.
export { createCa, loadCa, type CreateCaOptions, type LoadedCa, type PemPair } from './certificate-authority.js';
export { describeCertificate, isSignedBy, type CertificateSummary } from './describe-certificate.js';
export { PKI_ERROR_CODES, PkiError, type PkiErrorCode } from './errors.js';
export {
  clientIdentity,
  gatewayIdentity,
  gatewayClassIdentity,
  identityFileBase,
  identityLabel,
  identityUri,
  isServiceComponent,
  parseGatewayRef,
  parseIdentityUri,
  serviceIdentity,
  SERVICE_COMPONENTS,
  TRUST_DOMAIN,
  type Identity,
  type ServiceComponent,
} from './identity.js';
export { DEFAULT_LEAF_DAYS, issueCertificate, type IssueOptions } from './issue-certificate.js';
export { importPrivateKeyPem, keyMatchesCertificate, parseCertificatePem } from './keys.js';
export { defaultSubjectAltNames, type SubjectAltNameOptions, type SubjectAltNames } from './subject-alt-names.js';

// The one error class of @gatehouse/pki, with stable codes an operator can search for.
export const PKI_ERROR_CODES = [
  'GH_PKI_INVALID_NAME', // a component, Gateway or client name that cannot become an identity or a file name
  'GH_PKI_INVALID_PEM', // a certificate or key that does not parse
  'GH_PKI_KEY_MISMATCH', // a private key that does not belong to the certificate beside it
  'GH_PKI_NOT_A_CA', // a certificate asked to sign that is not a CA
] as const;
export type PkiErrorCode = (typeof PKI_ERROR_CODES)[number];

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

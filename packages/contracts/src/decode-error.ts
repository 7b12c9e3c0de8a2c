/** Raised when bytes from Redis, a queue or the wire are not a valid message of the expected type. */
export class ContractDecodeError extends Error {
  readonly code = 'GH_CONTRACT_DECODE';
  constructor(
    readonly typeName: string,
    reason: string,
  ) {
    super(`cannot decode ${typeName}: ${reason}`);
    this.name = 'ContractDecodeError';
  }
}

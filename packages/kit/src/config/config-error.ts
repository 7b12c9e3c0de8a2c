/** A bad environment value. Its message is the one line the service prints before exiting. */
export class ConfigError extends Error {
  readonly code = 'GH_CONFIG_INVALID';
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid ${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

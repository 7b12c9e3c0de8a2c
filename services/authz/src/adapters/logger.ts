// The logging surface the service needs: a subset of pino's, so the kit's pino logger drops in.
export interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}


// The logging surface the service needs: a subset of pino's, so the kit's pino logger drops in.
export interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** JSON lines on stdout, for running before the kit's logger is wired. */
export function createConsoleLogger(name: string): Logger {
  const write = (level: string) => (object: object, message?: string) =>
    process.stdout.write(`${JSON.stringify({ level, time: Date.now(), name, ...object, ...(message && { msg: message }) })}\n`);
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

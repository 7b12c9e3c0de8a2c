// Where a command writes and what it reads from its environment; tests pass their own.
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  fetch: (...args) => fetch(...args),
};

/** A usage problem: printed with the usage line, exit code 2. */
export class UsageError extends Error {
  readonly code = 'GH_CLI_USAGE';
}

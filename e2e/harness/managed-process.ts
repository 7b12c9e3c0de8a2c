// A child process owned by a test: output kept for failure messages, stopped with SIGTERM then
// SIGKILL, and killed on exit of the test process if nobody stopped it.
import { spawn, type ChildProcess } from 'node:child_process';
import { forgetOnExit, killOnExit } from './exit-registry.js';
import { GiveUpError, waitFor } from './wait-for.js';

export interface ManagedProcessOptions {
  /** Short name used in messages ("redis-server :6379"). */
  name: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  /** Environment of the child; PATH and HOME from this process are always passed on. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Keep at most this many characters of combined stdout/stderr. Default 64 KiB. */
  maxOutputChars?: number;
}

export class ProcessExitedError extends GiveUpError {
  override readonly name = 'ProcessExitedError';
  readonly code = 'GH_E2E_PROCESS_EXITED';
}

export class ManagedProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private output = '';
  private readonly maxOutputChars: number;
  private readonly exited: Promise<void>;

  constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.maxOutputChars = options.maxOutputChars ?? 64 * 1024;
    this.child = spawn(options.command, options.args ?? [], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(this.child);
    this.child.stdout?.on('data', (chunk: Buffer) => this.append(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.append(chunk));
    // 'close' (not 'exit') so the output is complete once `exited` resolves.
    this.exited = new Promise((resolve) => {
      this.child.once('close', () => resolve());
      this.child.once('error', (err) => {
        this.append(Buffer.from(`spawn failed: ${err.message}\n`));
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  /** stdout and stderr interleaved as received (the newest `maxOutputChars`). */
  get recentOutput(): string {
    return this.output;
  }

  /** A message for a failure: what happened plus the tail of the process's output. */
  describeFailure(what: string): string {
    const status = this.running
      ? 'still running'
      : `exited with ${this.child.signalCode ?? `code ${this.child.exitCode ?? '?'}`}`;
    const tail = this.output.slice(-4000).trimEnd();
    return `${this.name}: ${what} (${status})${tail ? `\n--- output ---\n${tail}` : ''}`;
  }

  /** Throws if the process has exited; use inside readiness polls to fail fast. */
  assertRunning(): void {
    if (!this.running) throw new ProcessExitedError(this.describeFailure('exited before it was ready'));
  }

  /** Resolves with the first match of `pattern` in the output (e.g. a log line); fails if the process exits first. */
  async waitForOutput(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    return waitFor(
      () => {
        const match = this.output.match(pattern);
        if (!match) this.assertRunning();
        return match;
      },
      { timeoutMs, description: `${this.name} to print ${pattern}` },
    );
  }

  /** SIGSTOP / SIGCONT: the process hangs without closing its sockets (a stuck, not a dead, dependency). */
  pause(): void {
    if (this.running) this.child.kill('SIGSTOP');
  }

  resume(): void {
    if (this.running) this.child.kill('SIGCONT');
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Resolves once the process is gone. Safe to call twice. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGCONT'); // a paused process would not act on SIGTERM
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.kill(), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
    forgetOnExit(this.child);
  }

  /** SIGKILL at once (a crash, for outage drills). Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
    forgetOnExit(this.child);
  }

  /** Resolves when the process has exited on its own (or was stopped). */
  async waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await this.exited;
    return { code: this.child.exitCode, signal: this.child.signalCode };
  }

  private append(chunk: Buffer): void {
    this.output += chunk.toString('utf8');
    if (this.output.length > this.maxOutputChars) this.output = this.output.slice(-this.maxOutputChars);
  }
}

// Readiness is a set of named gates (e.g. "config", "redis"); the service is ready when all are open.
export type ReadinessProbe = () => Promise<boolean> | boolean;

export class Readiness {
  private readonly gates = new Map<string, boolean>();
  private readonly probes = new Map<string, ReadinessProbe>();
  private shuttingDown = false;

  /** Declares a gate that starts closed. */
  require(name: string): void {
    if (!this.gates.has(name)) this.gates.set(name, false);
  }

  set(name: string, open: boolean): void {
    this.gates.set(name, open);
  }

  /** A live check run on every /readyz (e.g. a Redis PING). */
  probe(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async check(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = Object.fromEntries(this.gates);
    await Promise.all(
      [...this.probes].map(async ([name, probe]) => {
        checks[name] = await Promise.resolve()
          .then(probe)
          .catch(() => false);
      }),
    );
    if (this.shuttingDown) checks.shutdown = false;
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}

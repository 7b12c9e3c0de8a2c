// Keeps a service's TLS material current: polls the three files (a Kubernetes Secret swaps a symlink, an editor
// renames; polling sees both), and hands every whole, valid new set to the listeners. A bad new set (half
// written, key of another certificate, wrong CA) is reported and the material in use keeps serving.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadTlsMaterial, type TlsFiles, type TlsMaterial } from './tls-material.js';

export interface TlsFileWatcherOptions {
  readonly intervalMs?: number;
  /** Called with each refused change (once per distinct content). */
  readonly onRefused?: (err: Error) => void;
}

export class TlsFileWatcher {
  #material: TlsMaterial;
  #fingerprint: string;
  #refusedFingerprint: string | undefined;
  readonly #listeners = new Set<(material: TlsMaterial) => void>();
  readonly #timer: NodeJS.Timeout;

  /** Throws TlsMaterialError when the files are not usable now: a service must not start on them. */
  constructor(
    readonly files: TlsFiles,
    private readonly options: TlsFileWatcherOptions = {},
  ) {
    this.#material = loadTlsMaterial(files);
    this.#fingerprint = fingerprint(files);
    this.#timer = setInterval(() => this.check(), options.intervalMs ?? 1000);
    this.#timer.unref();
  }

  get material(): TlsMaterial {
    return this.#material;
  }

  onChange(listener: (material: TlsMaterial) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Re-reads the files now; returns true when new material was taken. */
  check(): boolean {
    const current = fingerprint(this.files);
    if (current === this.#fingerprint || current === this.#refusedFingerprint) return false;
    let material: TlsMaterial;
    try {
      material = loadTlsMaterial(this.files);
    } catch (err) {
      this.#refusedFingerprint = current;
      this.options.onRefused?.(err as Error);
      return false;
    }
    this.#material = material;
    this.#fingerprint = current;
    this.#refusedFingerprint = undefined;
    for (const listener of this.#listeners) listener(material);
    return true;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#listeners.clear();
  }
}

function fingerprint(files: TlsFiles): string {
  const hash = createHash('sha256');
  for (const file of [files.certFile, files.keyFile, files.caFile]) {
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update(`missing:${file}`);
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

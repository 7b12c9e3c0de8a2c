// What is managed: the Certificates of the config file and those wanted by xds (CertificateWanted,
// remembered in Redis for every replica), the Issuers and Secrets they refer to, and the last known
// expiry of each certificate (for the expiry gauge). A Certificate from the file wins over a
// wanted one of the same namespace/name.
import type { CertStore } from '../adapters/cert-store.js';
import { certificateId, issuerIdForCertificate, type Certificate, type Issuer, type Secret } from '../core/resources.js';

export interface CatalogConfig {
  readonly issuers: ReadonlyMap<string, Issuer>;
  readonly certificates: ReadonlyMap<string, Certificate>;
  readonly secrets: ReadonlyMap<string, Secret>;
}

export class CertificateCatalog {
  private fileCertificates = new Map<string, Certificate>();
  private wantedCertificates = new Map<string, Certificate>();
  private issuers = new Map<string, Issuer>();
  private secretMap = new Map<string, Secret>();
  /** notAfter (ms) per certificate id, as last seen by this replica. */
  private expiry = new Map<string, number>();

  constructor(private readonly store: CertStore) {}

  setConfig(config: CatalogConfig): void {
    this.issuers = new Map(config.issuers);
    this.fileCertificates = new Map(config.certificates);
    this.secretMap = new Map(config.secrets);
  }

  setWanted(certificates: readonly Certificate[]): void {
    this.wantedCertificates = new Map(certificates.map((c) => [certificateId(c), c]));
  }

  /** Remembers a CertificateWanted in Redis (for every replica) and here. */
  async acceptWanted(certificate: Certificate): Promise<void> {
    await this.store.putWanted(certificate);
    this.wantedCertificates.set(certificateId(certificate), certificate);
  }

  /** Loads the certificates other replicas accepted. */
  async loadWanted(): Promise<void> {
    this.setWanted(await this.store.listWanted());
  }

  /** A managed certificate by id; one another replica accepted is looked up in Redis. */
  async lookup(id: string): Promise<Certificate | undefined> {
    const known = this.certificates().get(id);
    if (known) return known;
    const wanted = await this.store.getWanted(id);
    if (wanted) this.wantedCertificates.set(id, wanted);
    return wanted;
  }

  /** Every managed certificate; a Certificate from the config file wins over a wanted one. */
  certificates(): Map<string, Certificate> {
    return new Map([...this.wantedCertificates, ...this.fileCertificates]);
  }

  issuerFor(cert: Certificate): Issuer | undefined {
    return this.issuers.get(issuerIdForCertificate(cert));
  }

  allIssuers(): Issuer[] {
    return [...this.issuers.values()];
  }

  get secrets(): ReadonlyMap<string, Secret> {
    return this.secretMap;
  }

  recordExpiry(id: string, notAfter: number): void {
    this.expiry.set(id, notAfter);
  }

  /** Replaces every known expiry, so a certificate no longer managed drops out of the gauge. */
  replaceExpiry(expiry: ReadonlyMap<string, number>): void {
    this.expiry = new Map(expiry);
  }

  expiries(): [id: string, notAfter: number][] {
    return [...this.expiry];
  }
}

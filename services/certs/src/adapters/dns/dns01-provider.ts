// What a DNS-01 provider does: publish and remove one TXT record value.
import { CertsError } from '../../errors.js';

export interface Dns01Provider {
  /** Adds `value` to the TXT records at `fqdn` (e.g. "_acme-challenge.example.com", no trailing dot). */
  present(fqdn: string, value: string): Promise<void>;
  /** Removes what present() added. */
  cleanup(fqdn: string, value: string): Promise<void>;
}

export class Dns01Error extends CertsError {
  constructor(code: 'GH_CERTS_DNS01_PRESENT_FAILED' | 'GH_CERTS_DNS01_CLEANUP_FAILED' | 'GH_CERTS_DNS01_NOT_PROPAGATED' | 'GH_CERTS_DNS01_UPDATE_REFUSED', detail: string) {
    super(code, detail);
    this.name = 'Dns01Error';
  }
}

// RFC 2136 DNS UPDATE provider (BIND, Knot, PowerDNS, ...): finds the zone with an SOA query to
// the configured nameserver, then adds or deletes the TXT value, TSIG-signed when a key is set.
// UDP first, TCP when the answer is truncated.
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { decodeMessage, RCODE_NAMES, signMessage, soaQuery, txtUpdate, zoneFromSoaResponse, type DnsMessage, type TsigKey } from '../../core/dns-wire.js';
import { Dns01Error, type Dns01Provider } from './dns01-provider.js';

export interface Rfc2136Options {
  /** "host:port" (port 53 by default); IPv6 as "[::1]:53". */
  readonly nameserver: string;
  readonly tsig?: TsigKey;
  readonly timeoutMs?: number;
}

function splitHostPort(address: string): { host: string; port: number } {
  const v6 = /^\[(.+)\](?::(\d+))?$/.exec(address);
  if (v6) return { host: v6[1] as string, port: Number(v6[2] ?? 53) };
  const [host, port] = address.split(':');
  return { host: host ?? address, port: Number(port ?? 53) };
}

export class Rfc2136Provider implements Dns01Provider {
  private readonly server: { host: string; port: number };

  constructor(private readonly options: Rfc2136Options) {
    this.server = splitHostPort(options.nameserver);
  }

  async present(fqdn: string, value: string): Promise<void> {
    await this.update(fqdn, value, 'add');
  }

  async cleanup(fqdn: string, value: string): Promise<void> {
    await this.update(fqdn, value, 'delete');
  }

  async findZone(fqdn: string): Promise<string> {
    const response = await this.exchange(soaQuery(randomInt(65536), fqdn));
    const zone = zoneFromSoaResponse(response);
    if (!zone) throw new Dns01Error('GH_CERTS_DNS01_UPDATE_REFUSED', `${this.options.nameserver} returned no SOA for ${fqdn}; is it authoritative for the zone?`);
    return zone;
  }

  private async update(fqdn: string, value: string, action: 'add' | 'delete'): Promise<void> {
    const zone = await this.findZone(fqdn);
    let message = txtUpdate(randomInt(65536), zone, fqdn, value, action);
    if (this.options.tsig) message = signMessage(message, this.options.tsig, Math.floor(Date.now() / 1000));
    const response = await this.exchange(message);
    if (response.rcode !== 0) {
      throw new Dns01Error(
        action === 'add' ? 'GH_CERTS_DNS01_UPDATE_REFUSED' : 'GH_CERTS_DNS01_CLEANUP_FAILED',
        `${this.options.nameserver} answered ${RCODE_NAMES[response.rcode] ?? response.rcode} to the ${action} of TXT ${fqdn} in zone ${zone}`,
      );
    }
  }

  private async exchange(message: Buffer): Promise<DnsMessage> {
    const response = await this.udp(message);
    return response.tc ? this.tcp(message) : response;
  }

  private udp(message: Buffer): Promise<DnsMessage> {
    return new Promise((resolve, reject) => {
      const socket = createSocket(this.server.host.includes(':') ? 'udp6' : 'udp4');
      const timer = setTimeout(() => {
        socket.close();
        reject(new Dns01Error('GH_CERTS_DNS01_UPDATE_REFUSED', `no answer from ${this.options.nameserver} (UDP)`));
      }, this.options.timeoutMs ?? 5000);
      socket.on('message', (data) => {
        const decoded = decodeMessage(data);
        if (decoded.id !== message.readUInt16BE(0)) return; // not ours
        clearTimeout(timer);
        socket.close();
        resolve(decoded);
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        socket.close();
        reject(err);
      });
      socket.send(message, this.server.port, this.server.host);
    });
  }

  private tcp(message: Buffer): Promise<DnsMessage> {
    return new Promise((resolve, reject) => {
      const socket = connect(this.server.port, this.server.host);
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      let received = Buffer.alloc(0);
      socket.setTimeout(this.options.timeoutMs ?? 5000, () => {
        socket.destroy();
        reject(new Dns01Error('GH_CERTS_DNS01_UPDATE_REFUSED', `no answer from ${this.options.nameserver} (TCP)`));
      });
      socket.on('connect', () => socket.write(Buffer.concat([length, message])));
      socket.on('data', (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          socket.end();
          resolve(decodeMessage(received.subarray(2, 2 + received.readUInt16BE(0))));
        }
      });
      socket.on('error', reject);
    });
  }
}

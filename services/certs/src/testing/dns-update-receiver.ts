// A tiny authoritative DNS UPDATE receiver for tests: pebble-challtestsrv answers DNS queries but
// does not accept RFC 2136 updates, so this server takes signed UPDATEs, checks TSIG, and forwards
// the TXT changes to challtestsrv's /set-txt and /clear-txt.
import { createSocket, type Socket } from 'node:dgram';
import { CLASS, decodeMessage, decodeTxt, encodeMessage, encodeName, OPCODE, TYPE, verifyTsig, type TsigKey } from '../core/dns-wire.js';
import { freePort } from '@gatehouse/e2e';

export interface DnsUpdateReceiver {
  readonly address: string;
  readonly updates: { action: 'add' | 'delete'; fqdn: string; value: string }[];
  readonly rejected: string[];
  close(): void;
}

export async function startDnsUpdateReceiver(options: { zone: string; challtestsrvUrl: string; tsig?: TsigKey }): Promise<DnsUpdateReceiver> {
  const port = await freePort();
  const socket: Socket = createSocket('udp4');
  const updates: DnsUpdateReceiver['updates'] = [];
  const rejected: string[] = [];
  const soaData = Buffer.concat([encodeName(`ns.${options.zone}`), encodeName(`hostmaster.${options.zone}`), Buffer.alloc(20, 1)]);

  socket.on('message', async (data, peer) => {
    const request = decodeMessage(data);
    const reply = (rcode: number, authorities = [] as { name: string; type: number; class: number; ttl: number; data: Buffer }[]) =>
      socket.send(encodeMessage({ id: request.id, qr: true, opcode: request.opcode, rcode, questions: request.questions, answers: [], authorities, additionals: [] }), peer.port, peer.address);
    if (request.opcode === OPCODE.QUERY) {
      reply(0, [{ name: options.zone, type: TYPE.SOA, class: CLASS.IN, ttl: 60, data: soaData }]);
      return;
    }
    if (options.tsig) {
      const verdict = verifyTsig(data, options.tsig, Math.floor(Date.now() / 1000));
      if (verdict !== 'ok') {
        rejected.push(verdict);
        reply(9); // NOTAUTH
        return;
      }
    }
    for (const rr of request.authorities) {
      if (rr.type !== TYPE.TXT) continue;
      const value = decodeTxt(rr.data);
      const action = rr.class === CLASS.NONE ? 'delete' : 'add';
      updates.push({ action, fqdn: rr.name, value });
      await fetch(`${options.challtestsrvUrl}/${action === 'add' ? 'set-txt' : 'clear-txt'}`, { method: 'POST', body: JSON.stringify({ host: `${rr.name}.`, value }) });
    }
    reply(0);
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${port}`, updates, rejected, close: () => socket.close() };
}

import { describe, expect, it } from 'vitest';
import { EventParser, readEvents, type StreamEvent } from './event-stream.js';

describe('EventParser', () => {
  it('ends an event at a blank line, with its name and data, and skips comments', () => {
    const parser = new EventParser();
    expect(parser.push(': keepalive\n\nevent: health\ndata: {"a":1}\n\n')).toEqual([{ event: 'health', data: '{"a":1}' }]);
  });

  it('joins an event split across chunks, and several data lines with newlines', () => {
    const parser = new EventParser();
    expect(parser.push('event: topo')).toEqual([]);
    expect(parser.push('logy\r\ndata: one\r\ndata:two\r\n')).toEqual([]);
    expect(parser.push('\r\ndata: plain\n\n')).toEqual([
      { event: 'topology', data: 'one\ntwo' },
      { event: 'message', data: 'plain' },
    ]);
  });
});

describe('readEvents', () => {
  it('reads events from a response body until it ends', async () => {
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('event: certificates\ndata: []\n\nevent: health\n'));
        controller.enqueue(encoder.encode('data: {}\n\n'));
        controller.close();
      },
    });
    const events: StreamEvent[] = [];
    await readEvents(body, (e) => events.push(e));
    expect(events).toEqual([
      { event: 'certificates', data: '[]' },
      { event: 'health', data: '{}' },
    ]);
  });

  it('stops when its signal aborts', async () => {
    const body = new ReadableStream<Uint8Array>({ start() {} });
    const controller = new AbortController();
    const reading = readEvents(body, () => undefined, controller.signal);
    controller.abort();
    await expect(reading).resolves.toBeUndefined();
  });
});

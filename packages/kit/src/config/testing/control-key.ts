// A control key for tests: random per test process (so no key is published in the repository), passed
// to services through GATEHOUSE_CONTROL_KEY, and the matching keyring for tests that seal or open.
import { randomBytes } from 'node:crypto';
import { controlKeyring, sealedCodec, type ControlKeyring, type MessageCodec, type SealContext } from '@gatehouse/contracts';

export const TEST_CONTROL_KEY: string = process.env.GATEHOUSE_TEST_CONTROL_KEY ?? randomBytes(32).toString('hex');
export const testControlKeyring: ControlKeyring = controlKeyring(Buffer.from(TEST_CONTROL_KEY, 'hex'));

/** `codec` sealed with the test key for `context`: what a producer holding the control key writes. */
export function testSealedCodec<In, Out>(codec: MessageCodec<In, Out>, context: SealContext): MessageCodec<In, Out> {
  return sealedCodec(codec, testControlKeyring, context);
}

// A control key for tests: random per test process (so no key is published in the repository), passed
// to services through GATEHOUSE_CONTROL_KEY, and the matching keyring for tests that seal or open.
import { randomBytes } from 'node:crypto';
import { controlKeyring, type ControlKeyring } from '@gatehouse/contracts';

export const TEST_CONTROL_KEY: string = process.env.GATEHOUSE_TEST_CONTROL_KEY ?? randomBytes(32).toString('hex');
export const testControlKeyring: ControlKeyring = controlKeyring(Buffer.from(TEST_CONTROL_KEY, 'hex'));

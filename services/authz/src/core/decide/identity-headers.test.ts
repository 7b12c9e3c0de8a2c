import { describe, expect, it } from 'vitest';
import { headersToRemove } from './identity-headers.js';

describe('headersToRemove', () => {
  it('removes owned headers and their case and underscore variants, keeping others', () => {
    const owned = new Set(['x-user-id', 'x-gatehouse-client']);
    const removed = headersToRemove({ 'x-user-id': 'admin', x_user_id: 'admin', 'X_User-Id': 'admin', accept: '*/*' }, owned);
    expect(removed.sort()).toEqual(['X_User-Id', 'x-gatehouse-client', 'x-user-id', 'x_user_id'].sort());
  });

  it('never lists a header the answer writes (Envoy removes after it sets), and lists each name once', () => {
    const owned = new Set(['x-user-id', 'x-gatehouse-client']);
    const removed = headersToRemove({ 'x-user-id': 'admin', 'x-user_id': 'admin', 'x-gatehouse-client': 'c' }, owned, [['x-user-id', 'alice']]);
    expect(removed.sort()).toEqual(['x-gatehouse-client', 'x-user_id']);
  });
});

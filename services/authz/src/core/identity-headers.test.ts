import { describe, expect, it } from 'vitest';
import { headersToRemove } from './identity-headers.js';

describe('headersToRemove', () => {
  it('removes owned headers and their case and underscore variants, keeping others', () => {
    const owned = new Set(['x-user-id', 'x-gatehouse-client']);
    const removed = headersToRemove({ 'x-user-id': 'admin', x_user_id: 'admin', 'X_User-Id': 'admin', accept: '*/*' }, owned);
    expect(removed.sort()).toEqual(['X_User-Id', 'x-gatehouse-client', 'x-user-id', 'x_user_id'].sort());
  });
});

// The test MMDB writer round-trips through mmdb-lib's reader (the one the service uses): every record
// size, IPv4 and IPv6 trees, nested networks, every value type the geo databases carry.
import { Reader, type AnonymousIPResponse, type AsnResponse, type CityResponse } from 'mmdb-lib';
import { describe, expect, it } from 'vitest';
import { cityRecord, writeMmdb, type MmdbValue } from './mmdb-writer.js';

describe('writeMmdb', () => {
  for (const recordSize of [24, 28, 32] as const) {
    it(`writes a City database mmdb-lib reads (${recordSize}-bit records, IPv6 tree)`, () => {
      const reader = new Reader<CityResponse>(
        writeMmdb({
          databaseType: 'GeoLite2-City',
          recordSize,
          networks: [
            { network: '81.0.0.0/16', data: cityRecord('ES', 'MD', 'Madrid') },
            { network: '81.0.128.0/24', data: cityRecord('ES', 'CT', 'Barcelona') },
            { network: '8.8.8.0/24', data: cityRecord('US') },
            { network: '2a02:9000::/23', data: cityRecord('ES', 'AN', 'Sevilla') },
          ],
        }),
      );
      expect(reader.metadata).toMatchObject({ databaseType: 'GeoLite2-City', recordSize, ipVersion: 6, binaryFormatMajorVersion: 2, languages: ['en'] });
      expect(reader.get('81.0.3.4')).toMatchObject({ country: { iso_code: 'ES' }, subdivisions: [{ iso_code: 'MD' }], city: { names: { en: 'Madrid' } } });
      // A narrower network inside a wider one wins; its neighbours keep the wider one's data.
      expect(reader.get('81.0.128.9')?.city?.names.en).toBe('Barcelona');
      expect(reader.get('81.0.129.9')?.city?.names.en).toBe('Madrid');
      expect(reader.get('8.8.8.8')).toEqual({ country: { iso_code: 'US', names: { en: 'US' } } });
      expect(reader.get('2a02:9000::1')?.city?.names.en).toBe('Sevilla');
      expect(reader.getWithPrefixLength('8.8.8.200')[1]).toBe(24);
      expect(reader.get('9.9.9.9')).toBeNull();
      expect(reader.get('2001:db8::1')).toBeNull();
    });
  }

  it('writes IPv4-only trees', () => {
    const reader = new Reader<AsnResponse>(writeMmdb({ databaseType: 'GeoLite2-ASN', ipVersion: 4, recordSize: 24, networks: [{ network: '81.0.0.0/16', data: { autonomous_system_number: 3352, autonomous_system_organization: 'TELEFONICA DE ESPANA' } }] }));
    expect(reader.metadata.ipVersion).toBe(4);
    expect(reader.get('81.0.1.1')).toEqual({ autonomous_system_number: 3352, autonomous_system_organization: 'TELEFONICA DE ESPANA' });
    expect(reader.get('82.0.1.1')).toBeNull();
  });

  it('encodes booleans, wide integers, doubles, long strings, arrays and maps', () => {
    const long = 'x'.repeat(70_000);
    const value: Record<string, MmdbValue> = {
      is_anonymous: true,
      is_anonymous_vpn: false,
      small: 7,
      wide: 4_000_000_000,
      huge: { uint64: 2n ** 40n },
      negative: -5,
      ratio: 0.25,
      mid: 'y'.repeat(300),
      long,
      list: [1, 'two', { three: 3 }],
    };
    const reader = new Reader<AnonymousIPResponse & Record<string, unknown>>(writeMmdb({ databaseType: 'GeoIP2-Anonymous-IP', recordSize: 32, networks: [{ network: '6.1.0.0/16', data: value }] }));
    const found = reader.get('6.1.0.3');
    expect(found).toMatchObject({ is_anonymous: true, is_anonymous_vpn: false, small: 7, wide: 4_000_000_000, negative: -5, ratio: 0.25, list: [1, 'two', { three: 3 }] });
    expect(String(found?.huge)).toBe(String(2n ** 40n));
    expect(found?.mid).toBe('y'.repeat(300));
    expect(found?.long).toBe(long);
    expect(reader.metadata.buildEpoch.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});

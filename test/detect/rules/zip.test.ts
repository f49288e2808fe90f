import { describe, expect, it } from 'vitest';
import { zipDetector } from '../../../src/detect/rules/zip.js';
import { values } from './helpers.js';

describe('rules.zip', () => {
  it('finds UK and Canadian postcodes by their shape, Eircodes after an Irish word and Dutch ones before the town', () => {
    expect(values(zipDetector, '10 Downing Street, London SW1A 2AA; Ottawa, ON K1A 0B1; Postcode: EC1A 1BB')).toEqual(['SW1A 2AA', 'K1A 0B1', 'EC1A 1BB']);
    expect(values(zipDetector, 'Her Eircode is D06 XY12; 14 Rathgar Road, Dublin 6, D06 F2K8')).toEqual(['D06 XY12', 'D06 F2K8']);
    expect(values(zipDetector, 'Damrak 1, 1012 LG Amsterdam')).toEqual(['1012 LG']);
    // Codes of the same shape without the context, and years with an era, are not postcodes.
    expect(values(zipDetector, 'part D06 XY12 shipped; in 1999 BC Rome fell; sw1a 2aa; 2020 PG Khalen scored')).toEqual([]);
    expect(values(zipDetector, 'Kerkstraat 5,\n2011 AB Haarlem')).toEqual(['2011 AB']);
  });

  it('finds ZIP and ZIP+4 after a state or a zip word', () => {
    expect(values(zipDetector, 'Austin, TX 78701')).toEqual(['78701']);
    expect(values(zipDetector, 'Berkeley, California 94720-1900.')).toEqual(['94720-1900']);
    expect(values(zipDetector, 'zip code: 02139')).toEqual(['02139']);
  });

  it('ignores five-digit numbers without US address context', () => {
    expect(values(zipDetector, 'we shipped 78701 units; Portugal 30971')).toEqual([]);
    expect(values(zipDetector, 'XX 78701')).toEqual([]);
  });
  it('finds Portuguese and Polish postcodes before the town of an address line, not ranges in prose', () => {
    expect(values(zipDetector, 'Morada: Rua de Santa Catarina 312, 2.º Esq., 4000-447 Porto\nTel: 1')).toEqual(['4000-447']);
    expect(values(zipDetector, 'Adres: ul. Długa 17/4, 31-147 Kraków')).toEqual(['31-147']);
    expect(values(zipDetector, 'Sede: Av. da Liberdade 110, 1269-046 Lisboa, Portugal')).toEqual(['1269-046']);
    expect(values(zipDetector, 'see pages 31-147 The end; scores 1234-567 Lisbon won later')).toEqual([]);
  });
});

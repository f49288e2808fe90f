import { describe, expect, it } from 'vitest';
import { zipDetector } from '../../../src/detect/rules/zip.js';
import { values } from './helpers.js';

describe('rules.zip', () => {
  it('finds ZIP and ZIP+4 after a state or a zip word', () => {
    expect(values(zipDetector, 'Austin, TX 78701')).toEqual(['78701']);
    expect(values(zipDetector, 'Berkeley, California 94720-1900.')).toEqual(['94720-1900']);
    expect(values(zipDetector, 'zip code: 02139')).toEqual(['02139']);
  });

  it('ignores five-digit numbers without US address context', () => {
    expect(values(zipDetector, 'we shipped 78701 units; Portugal 30971')).toEqual([]);
    expect(values(zipDetector, 'XX 78701')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { urlDetector } from '../../../src/detect/rules/url.js';
import { values } from './helpers.js';

describe('rules.url', () => {
  it('finds http, https and www URLs without trailing punctuation', () => {
    expect(values(urlDetector, 'See https://example.com/a?b=1.')).toEqual(['https://example.com/a?b=1']);
    expect(values(urlDetector, '(docs at www.foo.co.uk/bar), ok')).toEqual(['www.foo.co.uk/bar']);
    expect(values(urlDetector, 'wiki https://en.wikipedia.org/wiki/Foo_(bar) now')).toEqual(['https://en.wikipedia.org/wiki/Foo_(bar)']);
  });

  it('finds bare domains on common TLDs', () => {
    expect(values(urlDetector, 'visit ArtistMovie.se today')).toEqual(['ArtistMovie.se']);
  });

  it('does not take file names, abbreviations or e-mail domains', () => {
    expect(values(urlDetector, 'edit readme.md and index.js, e.g. now')).toEqual([]);
    expect(values(urlDetector, 'mail maria@example.com')).toEqual([]);
    expect(values(urlDetector, 'Ref.No 5 and Node.js')).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rehydrate, StreamRehydrator } from '../../src/pipeline/rehydrate.js';
import { MemoryTokenScope } from '../../src/vault/memory-scope.js';
import { normalizeValue } from '../../src/vault/tokens/normalize.js';

function scopeWith(values: Array<[type: string, value: string]>): MemoryTokenScope {
  const scope = new MemoryTokenScope('t');
  scope.tokenize(values.map(([type, value]) => ({ type, value, normalized: normalizeValue(type, value) })));
  return scope;
}

const scope = scopeWith([
  ['PERSON', 'Maria Lopez'],
  ['EMAIL', 'maria@example.com'],
  ['PERSON', 'Jan "JJ" O\'Brien\\x'],
  ['DATE_OF_BIRTH', '1984-02-29'],
  ['CREDIT_CARD', '4111 1111 1111 1111'],
]);

describe('rehydrate', () => {
  it('replaces the canonical form', () => {
    expect(rehydrate('Hi <<PERSON_1>>, mail <<EMAIL_1>>.', scope)).toBe('Hi Maria Lopez, mail maria@example.com.');
  });

  it.each([
    ['<PERSON_1>'],
    ['[PERSON_1]'],
    ['PERSON_1'],
    ['<<person_1>>'],
    ['<< PERSON_1 >>'],
    ['[ Person_1 ]'],
    ['<<PERSON_1>'],
    ['<PERSON_1]'],
    ['PERSON_1>>'],
  ])('forgives the mangled form %s', (form) => {
    expect(rehydrate(`Dear ${form}, hello`, scope)).toBe('Dear Maria Lopez, hello');
  });

  it('handles fine types with underscores', () => {
    expect(rehydrate('born <<DATE_OF_BIRTH_1>>', scope)).toBe('born 1984-02-29');
  });

  it('never replaces a token that was not issued in the scope', () => {
    expect(rehydrate('<<PERSON_9>> and <<PHONE_1>> and PERSON_12 and XPERSON_1', scope)).toBe(
      '<<PERSON_9>> and <<PHONE_1>> and PERSON_12 and XPERSON_1',
    );
  });

  it('does not match inside longer words', () => {
    expect(rehydrate('PERSON_1st PERSON_1_x aPERSON_1', scope)).toBe('PERSON_1st PERSON_1_x aPERSON_1');
  });

  it('leaves text alone when the scope is empty', () => {
    const empty = new MemoryTokenScope();
    expect(rehydrate('<<PERSON_1>>', empty)).toBe('<<PERSON_1>>');
  });

  it('escapes values for JSON strings', () => {
    const args = '{"name":"<<PERSON_2>>","note":"card <<CREDIT_CARD_1>>"}';
    const out = rehydrate(args, scope, { escape: 'json' });
    expect(JSON.parse(out)).toEqual({ name: 'Jan "JJ" O\'Brien\\x', note: 'card 4111 1111 1111 1111' });
  });

  it('escapes newlines and unicode for JSON', () => {
    const unicode = scopeWith([['PERSON', 'Zoë\n"Ω" 😀']]);
    const out = rehydrate('{"a":"<<PERSON_1>>"}', unicode, { escape: 'json' });
    expect(JSON.parse(out)).toEqual({ a: 'Zoë\n"Ω" 😀' });
  });
});

describe('StreamRehydrator', () => {
  function streamed(chunks: string[], options = {}): { pieces: string[]; output: string } {
    const rehydrator = new StreamRehydrator(scope, options);
    const pieces = chunks.map((chunk) => rehydrator.feed(chunk));
    pieces.push(rehydrator.end());
    return { pieces, output: pieces.join('') };
  }

  it('holds back only a partial token', () => {
    const rehydrator = new StreamRehydrator(scope);
    expect(rehydrator.feed('Hello <<PER')).toBe('Hello ');
    expect(rehydrator.held).toBe(5);
    expect(rehydrator.feed('SON_1>> how')).toBe('Maria Lopez how');
    expect(rehydrator.end()).toBe('');
  });

  it('emits text that cannot start a token at once', () => {
    const rehydrator = new StreamRehydrator(scope);
    expect(rehydrator.feed('The weather is fine today. ')).toBe('The weather is fine today. ');
    expect(rehydrator.held).toBe(0);
  });

  it('flushes an unfinished tail at end', () => {
    const { output } = streamed(['see <<PERS']);
    expect(output).toBe('see <<PERS');
  });

  const tokenForms = fc.constantFrom(
    '<<PERSON_1>>',
    '<PERSON_1>',
    '[EMAIL_1]',
    'PERSON_2',
    '<< date_of_birth_1 >>',
    '<<CREDIT_CARD_1>',
    '<<PERSON_9>>',
    'PERSON_12',
    '<<',
    '<',
    '[',
    '>>',
    ']',
  );
  const filler = fc.string({ unit: 'grapheme', maxLength: 8 });
  const text = fc
    .array(fc.oneof(tokenForms, filler, fc.constantFrom(' ', 'P', 'PER', 'E', '_', '1', 'é', '😀')), { maxLength: 14 })
    .map((parts) => parts.join(''));

  function splitAt(input: string, cuts: number[]): string[] {
    const points = [...new Set(cuts.map((cut) => cut % (input.length + 1)))].sort((a, b) => a - b);
    const chunks: string[] = [];
    let last = 0;
    for (const point of points) {
      chunks.push(input.slice(last, point));
      last = point;
    }
    chunks.push(input.slice(last));
    return chunks;
  }

  it('equals rehydrate(whole) for any text and any split (property)', () => {
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (input, cuts, json) => {
        const options = json ? { escape: 'json' as const } : {};
        const { output } = streamed(splitAt(input, cuts), options);
        expect(output).toBe(rehydrate(input, scope, options));
      }),
      { numRuns: 3000 },
    );
  });

  it('never emits part of a token (property)', () => {
    const issued = ['<<PERSON_1>>', '<<EMAIL_1>>', '<<DATE_OF_BIRTH_1>>'];
    const words = fc.array(fc.oneof(fc.constantFrom(...issued), fc.constantFrom('hi', ' ', 'x', '.', '\n')), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(words, fc.array(fc.nat(), { maxLength: 10 }), (parts, cuts) => {
        const input = parts.join('');
        const { pieces } = streamed(splitAt(input, cuts));
        for (const piece of pieces) {
          expect(piece).not.toMatch(/<<?[A-Z_]*\d*>?$/);
          expect(piece).not.toContain('<<');
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('splits at every offset of a realistic reply', () => {
    const reply = 'Sure <<PERSON_1>>! I emailed [EMAIL_1] about card <<CREDIT_CARD_1>>; DOB DATE_OF_BIRTH_1.';
    const expected = rehydrate(reply, scope);
    for (let cut = 0; cut <= reply.length; cut++) {
      expect(streamed([reply.slice(0, cut), reply.slice(cut)]).output).toBe(expected);
    }
    expect(streamed([...reply]).output).toBe(expected);
  });
});

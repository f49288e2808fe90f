import { describe, expect, it } from 'vitest';
import { parseRecordLine, RecordFormatError } from '../../src/eval/record.js';

const line = (value: unknown): string => JSON.stringify(value);

describe('parseRecordLine', () => {
  it('reads text and spans', () => {
    const record = parseRecordLine(
      line({ id: 'r1', text: 'Mail ann@x.io', spans: [{ start: 5, end: 13, label: 'EMAIL', text: 'ann@x.io' }] }),
    );
    expect(record).toEqual({ id: 'r1', text: 'Mail ann@x.io', spans: [{ start: 5, end: 13, label: 'EMAIL' }] });
  });

  it('uses start16/end16 when has_astral', () => {
    const text = '😀 call Ana';
    const record = parseRecordLine(
      line({ text, has_astral: true, spans: [{ start: 7, end: 10, start16: 8, end16: 11, label: 'PERSON', text: 'Ana' }] }),
    );
    expect(record.spans[0]).toEqual({ start: 8, end: 11, label: 'PERSON' });
  });

  it('converts code points itself when start16 is missing', () => {
    const text = '😀 call Ana';
    const record = parseRecordLine(line({ text, has_astral: true, spans: [{ start: 7, end: 10, label: 'PERSON' }] }));
    expect(text.slice(record.spans[0]?.start, record.spans[0]?.end)).toBe('Ana');
  });

  it('treats a missing spans field as no spans', () => {
    expect(parseRecordLine(line({ text: 'hi' })).spans).toEqual([]);
  });

  it.each([
    ['{"text": "secret Ana', 'invalid JSON'],
    ['[1, 2]', 'record is not a JSON object'],
    [line({ id: 'x' }), "missing or non-string 'text'"],
    [line({ text: 'Ana', spans: {} }), "'spans' is not an array"],
    [line({ text: 'Ana', spans: [{ start: 0, end: 9, label: 'PERSON' }] }), 'span 0 out of range'],
    [line({ text: 'Ana', spans: [{ start: 2, end: 1, label: 'PERSON' }] }), 'span 0: end 1 is not after start 2'],
    [line({ text: 'Ana', spans: [{ start: 0, end: 3 }] }), "span 0: missing 'label'"],
    [line({ text: 'Ana', spans: [{ start: '0', end: 3, label: 'PERSON' }] }), "span 0: 'start' is not a non-negative integer"],
    [line({ text: 'Ana Bo', spans: [{ start: 0, end: 3, label: 'PERSON', text: 'Bo' }] }), 'do not match'],
  ])('rejects %s', (input, reason) => {
    expect(() => parseRecordLine(input)).toThrow(RecordFormatError);
    expect(() => parseRecordLine(input)).toThrow(reason);
  });

  it('never quotes the record text in an error', () => {
    try {
      parseRecordLine('{"text": "Ana Secretname lives here"');
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain('Secretname');
    }
  });
});

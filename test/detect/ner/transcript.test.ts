import { describe, expect, it } from 'vitest';
import { findChatSenders, findSpeakers, findSpelledNames } from '../../../src/detect/ner/transcript.js';

const COMMON = new Set(['value', 'port', 'image', 'host']);
const speakers = (text: string): string[] => findSpeakers(text, (lower) => COMMON.has(lower)).map((name) => text.slice(name.start, name.end));

describe('names in chat logs and transcripts', () => {
  it('reads the speaker labels of a dialogue as people', () => {
    const chat = 'jess: omg did u see what tay posted\nmari: noooo what happened there\njess: she quit her job lol\nSam: the more the merrier';
    expect(speakers(chat)).toEqual(['jess', 'mari', 'jess', 'Sam']);
  });

  it('leaves role labels, form fields and configuration keys alone', () => {
    expect(speakers('Agent: how can I help you today\nCaller: my card was declined twice\nAgent: let me check that for you')).toEqual([]);
    expect(speakers('Subject: invoice 48812 is wrong\nFrom: accounts payable team\nDate: May 2, 2024')).toEqual([]);
    expect(speakers('- name: web\n  image: nginx:1.25\n  port: 8080\n- name: api\n  image: node:20\n  port: 3000')).toEqual([]);
    // One speaker alone is no dialogue.
    expect(speakers('Maria: I will be late today\nMaria: sorry about that folks')).toEqual([]);
  });

  it('finds a name spelled out letter by letter', () => {
    const text = "caller: it's john smith that's j o h n s m i t h agent: thanks";
    expect(findSpelledNames(text).map((name) => text.slice(name.start, name.end))).toEqual(['j o h n s m i t h']);
    expect(findSpelledNames('the answer is a b or c')).toEqual([]);
  });

  it('reads labels of identifiers at a line start as no speakers', () => {
    const text = 'SSN: 123-45-6789 called\nAna: hi there, how are you\nSSN: email me the form\nBen: sure thing, will do\nAna: thanks a lot, bye';
    expect(findSpeakers(text, () => false).map((name) => text.slice(name.start, name.end))).toEqual(['Ana', 'Ben', 'Ana']);
  });

  it('reads the senders of an exported chat, not its relations, phone numbers or log lines', () => {
    const chat = [
      '12/04/2025, 19:02 - Tunde: has anyone booked the hall',
      '12/04/2025, 19:04 - Mum: aunty bisi called',
      '[03/01/25, 21:23:11] Priya Didi: estimate is big',
      '12/04/2025, 19:05 - +44 7700 900123: hello',
      '2024-06-02 14:22:09,871 INFO handlers: signup attempt',
      '2024-06-02 14:22:09 DEBUG db: connecting',
    ].join('\n');
    expect(findChatSenders(chat).map((name) => chat.slice(name.start, name.end))).toEqual(['Tunde', 'Priya Didi']);
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../src/core/span.js';
import { findAges } from '../../../src/detect/ner/age.js';
import { findDemonyms } from '../../../src/detect/ner/demonyms.js';
import { findChinesePlaces } from '../../../src/detect/ner/places-zh.js';
import { NerDetector, createNerDetector, preloadNerModel } from '../../../src/detect/ner/ner-detector.js';
import { tagsToEntities } from '../../../src/detect/ner/spans.js';
import { beginTag, ENTITY_LABELS } from '../../../src/detect/ner/tags.js';
import { tokenize } from '../../../src/detect/ner/tokenize.js';

const ner = createNerDetector({ cacheSize: 0 });

function found(text: string, spans: readonly Span[] = ner.detect(text)): string[] {
  return spans.map((span) => `${span.type}:${text.slice(span.start, span.end)}`);
}

function typesOf(text: string, value: string): string[] {
  return ner
    .detect(text)
    .filter((span) => text.slice(span.start, span.end).includes(value))
    .map((span) => span.type);
}

describe('tokenize', () => {
  it('keeps offsets, splits possessives, keeps e-mails, URLs and handles whole', () => {
    const text = "Anna's mail: anna.k@example.org, see https://x.io/a?b=1 @anna_k U.S. O'Brien";
    const tokens = tokenize(text);
    for (const token of tokens) expect(text.slice(token.start, token.end)).toBe(token.text);
    expect(tokens.map((t) => t.text)).toEqual([
      'Anna', "'s", 'mail', ':', 'anna.k@example.org', ',', 'see', 'https://x.io/a?b=1', '@anna_k', 'U.S.', "O'Brien",
    ]);
  });

  it('reads Chinese and Japanese one character at a time, and stops Latin words at them', () => {
    const text = '王小明在iPhone手機上 A股 東京タワー';
    const tokens = tokenize(text);
    for (const token of tokens) expect(text.slice(token.start, token.end)).toBe(token.text);
    expect(tokens.map((t) => t.text)).toEqual(['王', '小', '明', '在', 'iPhone', '手', '機', '上', 'A', '股', '東', '京', 'タ', 'ワ', 'ー']);
  });
});

describe('NerDetector', () => {
  it('finds people, places and organisations', () => {
    const text = 'Yesterday John Smith flew from Boston to meet the board of Acme Corporation in Paris.';
    const spans = found(text);
    expect(spans).toContain('PERSON:John Smith');
    expect(spans).toContain('LOCATION:Boston');
    expect(spans).toContain('LOCATION:Paris');
    expect(spans.some((s) => s.startsWith('ORG:') && s.includes('Acme'))).toBe(true);
  });

  it('finds people, places and organisations in Chinese, simplified and traditional', () => {
    const simplified = found('张伟先生住在北京，他在阿里巴巴工作。请联系李娜女士。');
    expect(simplified).toEqual(expect.arrayContaining(['PERSON:张伟', 'LOCATION:北京', 'ORG:阿里巴巴', 'PERSON:李娜']));
    const traditional = found('王小明和陳美玲昨天去了臺北。');
    expect(traditional).toEqual(expect.arrayContaining(['PERSON:王小明', 'PERSON:陳美玲', 'LOCATION:臺北']));
  });

  it('cuts Chinese names at the verbs and particles they run into, and finds well-known places from its list', () => {
    const text = '欧阳娜娜说张伟很好。然西克索人只統治埃及的北部，他於8月26日本賽季去了華沙。';
    const spans = found(text);
    expect(spans).toEqual(expect.arrayContaining(['PERSON:欧阳娜娜', 'PERSON:张伟', 'LOCATION:埃及', 'LOCATION:華沙']));
    expect(spans.filter((entry) => entry.includes('说') || entry.endsWith(':日本'))).toEqual([]);
    expect(findChinesePlaces('No Chinese here: Japan, Warsaw.')).toEqual([]);
    const places = '羅馬尼亞和羅馬';
    expect(findChinesePlaces(places).map((m) => places.slice(m.start, m.end))).toEqual(['羅馬尼亞', '羅馬']);
  });

  it('includes titles, and finds names in greetings, signatures and lists', () => {
    expect(found('Please ask Dr. Maria Gonzalez to review the scan.')).toContain('PERSON:Dr. Maria Gonzalez');
    const email = 'Hi Priya,\n\nThe contract is attached.\n\nBest regards,\nTomasz Kowalski\nHead of Procurement';
    const spans = found(email);
    expect(spans).toContain('PERSON:Priya');
    expect(spans).toContain('PERSON:Tomasz Kowalski');
    const list = 'Attendees: Alice Martin, Bob Chen and Carla Rossi.';
    expect(found(list)).toEqual(expect.arrayContaining(['PERSON:Alice Martin', 'PERSON:Bob Chen', 'PERSON:Carla Rossi']));
  });

  it('handles possessives, all-caps and lower-case names', () => {
    expect(typesOf("I borrowed Michael's car.", 'Michael')).toContain('PERSON');
    expect(typesOf('PATIENT: JOHNSON, EMILY\nDOB: 1980-02-01', 'JOHNSON')).toContain('PERSON');
    expect(typesOf('hi, my name is sarah connor and i need help', 'sarah')).toContain('PERSON');
  });

  it('never runs a name on across the end of a sentence, but keeps titles and initials', () => {
    const values = (text: string): string[] =>
      ner.detect(text).filter((span) => span.type === 'PERSON').map((span) => text.slice(span.start, span.end));
    expect(values('My name is Maria Lindqvist. Lindqvist approved it.')).toEqual(['Maria Lindqvist', 'Lindqvist']);
    expect(values('We met Pvt. Lewis Martin and J. R. Tolkien yesterday.')).toEqual(['Pvt. Lewis Martin', 'J. R. Tolkien']);
  });

  it('reports street addresses with numbers as ADDRESS', () => {
    const text = 'Please ship it to 221 Baker Street, London NW1 6XE by Friday.';
    const address = ner.detect(text).find((span) => span.type === 'ADDRESS');
    expect(address && text.slice(address.start, address.end)).toMatch(/^221 Baker Street/);
  });

  it('never calls numbers, dates, units or code identifiers a person', () => {
    const texts = [
      'The dose is 5 mg twice daily, BP 120/80, weight 70 kg.',
      'Meeting on 2024-03-01 at 10:30, room 4.2.',
      'Call getUserName() and set MAX_RETRIES=3 in config.yaml.',
      'const userId = parseInt(req.params.id, 10);',
    ];
    for (const text of texts) expect(ner.detect(text).filter((s) => s.type === 'PERSON')).toEqual([]);
  });

  it('leaves quarters, time zones and job titles alone, but keeps user names with digits', () => {
    expect(found('Q3 revenue at Globex grew 12%, says CFO Hank Scorpio in Springfield.')).toEqual([
      'ORG:Globex',
      'PERSON:Hank Scorpio',
      'LOCATION:Springfield',
    ]);
    expect(found('Return a datetime in UTC.')).toEqual([]);
    // Contract parties and speaker labels are roles: only the named party is a person.
    const contract = found('made between Brightline Capital Partners ("Lender") and Jonathan M. Reyes ("Borrower").');
    expect(contract).toContain('PERSON:Jonathan M. Reyes');
    expect(contract.filter((entry) => /Lender|Borrower/.test(entry))).toEqual([]);
    // The letter-number code filter drops "Q3" or "B12" tagged alone, not a user name with digits.
    const tagged = (text: string, index: number): string[] => {
      const tokens = tokenize(text);
      const tags = new Uint8Array(tokens.length);
      tags[index] = beginTag(ENTITY_LABELS.indexOf('PERSON'));
      return tagsToEntities(text, tokens, tags).map((entity) => text.slice(entity.start, entity.end));
    };
    expect(tagged('Met Andywebb23 today', 1)).toEqual(['Andywebb23']);
    expect(tagged('Met kyle28walker today', 1)).toEqual(['kyle28walker']);
    expect(tagged('Sales in Q3 grew', 2)).toEqual([]);
  });

  it('finds @handles, ages and nationalities', () => {
    expect(found('thanks @jane_doe99 for the tip')).toContain('PERSON:@jane_doe99');
    expect(found('write to bob@example.com').filter((s) => s.startsWith('PERSON'))).toEqual([]);
    expect(findAges("He is a 53 year old man; i'm 41 y/o; aged 70; I'll turn 21; took 5 years").map((m) => m.end - m.start)).toEqual([2, 2, 2, 2]);
    expect(found('She is a 64 y.o. retired bookkeeper.')).toEqual(['AGE:64']);
    const clauses = 'Written when he was 78. I was 17 when we moved, at the age of 9. He was 5 minutes late; she is 30% done.';
    expect(findAges(clauses).map((m) => clauses.slice(m.start, m.end))).toEqual(['9', '78', '17']);
    const notes = 'HPI: 81M from a nursing home. A 67F with h/o CAD. Pt 45yoF presents with pain.';
    expect(findAges(notes, true).map((m) => notes.slice(m.start, m.end))).toEqual(['81', '67', '45']);
    expect(findAges('The fund raised 81M from investors; A 67F rating.', false)).toEqual([]);
    const chat = "im 29, moved here last year. oh nice i'm 27 and at UCSF. she's 7 now. I was 5 minutes late; we are 3 and counting";
    expect(findAges(chat).map((m) => chat.slice(m.start, m.end))).toEqual(['29', '27', '7']);
    const posts = '24F in Manchester. I (24F) and my bf (25M) split rent; [31M] here. The account holder is 15, and my son was 9 when we moved.';
    expect(findAges(posts).map((m) => posts.slice(m.start, m.end)).sort()).toEqual(['15', '24', '24', '25', '31', '9']);
    expect(findAges('Apt 24F, seat 24F, 24F outside, the holder is 15% owner')).toEqual([]);
    const chart = 'A/P: 72F w/ new-onset AF. Pt: BRENNAN, PATRICK Age/Sex: 54 M  MRN: E1187. 62M w/ MSSA PNA; 94 M, DNR; 47/F';
    expect(findAges(chart, true).map((m) => chart.slice(m.start, m.end))).toEqual(['72', '54', '62', '94', '47']);
    expect(findAges(chart, false).map((m) => chart.slice(m.start, m.end))).toEqual([]);
    expect(found('Pt Farah Siddiqui (67), 6 South, requested a visit.')).toContain('AGE:67');
    const records = 'DOB: 05/02/1943 (81 y)  Admit: 10/01/2024. born 1990 (34). Age at booking: 31. Age at review: 28 months. Section 1990 (34).';
    expect(findAges(records).map((m) => records.slice(m.start, m.end))).toEqual(['81', '34', '31', '28']);
    const languages = 'mi hijo tiene 7 años; il a 3 ans; Elsa bara är 1 år; ha 30 anni; hace 3 años; depuis 5 ans';
    expect(findAges(languages).map((m) => languages.slice(m.start, m.end))).toEqual(['7', '3', '1', '30']);
    const bedside = 'Kwame Boateng, 68 yrs, Hosp No TVH0093341. Smoking: 20 years. Obs (81 y). On warfarin for 5 years.';
    expect(findAges(bedside, true).map((m) => bedside.slice(m.start, m.end))).toEqual(['68', '81']);
    const text = 'We are proud Peruvians. Translate this into English.';
    expect(findDemonyms(text).map((m) => text.slice(m.start, m.end))).toEqual(['Peruvians']);
    const echr = 'The applicants are Kazakhstani nationals of Chechen origin; Ms Sami Torres represented them.';
    expect(findDemonyms(echr).map((m) => echr.slice(m.start, m.end))).toEqual(['Kazakhstani', 'Chechen']);
  });

  it('caches per text and configuration, and can be disabled', () => {
    const cached = new NerDetector({ cacheSize: 2 });
    const text = 'Maria Lopez lives in Madrid.';
    const first = cached.detect(text);
    expect(cached.detect(text)).toBe(first);
    cached.detect('a');
    cached.detect('b');
    expect(cached.detect(text)).not.toBe(first);
    expect(cached.detect(text)).toEqual(first);
    const uncached = new NerDetector({ cacheSize: 0 });
    expect(uncached.detect(text)).not.toBe(uncached.detect(text));
  });

  it('fails with a clear error on a missing or malformed model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'veil-ner-'));
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, 'not a model');
    expect(() => preloadNerModel(join(dir, 'missing.bin'))).toThrow(/cannot load NER model/);
    expect(() => preloadNerModel(bad)).toThrow(/not a Veil NER model/);
    expect(() => new NerDetector({ modelPath: bad }).detect('x')).toThrow(/cannot load NER model/);
  });

  it('records its training data and licences in the model file', () => {
    const header = preloadNerModel().header;
    const names = header.trainedOn.map((source) => source.name);
    expect(names).toContain('uner_ewt_train_prerelease.jsonl');
    expect(names.some((name) => name.includes('conll'))).toBe(false);
    expect(header.attribution.join(' ')).toMatch(/CC BY-SA 4.0/);
  });
});

describe('NerDetector on LLM-style prompts', () => {
  it('finds names inside JSON and key-value records', () => {
    const text = '{"user": {"firstName": "Emma", "lastName": "Watson", "city": "Oxford"}, "status": "Active"}';
    const spans = found(text);
    expect(spans).toEqual(expect.arrayContaining(['PERSON:Emma', 'PERSON:Watson', 'LOCATION:Oxford']));
    expect(spans.some((s) => s.includes('Active'))).toBe(false);
  });

  it('finds nothing in shell commands, code and reference numbers', () => {
    for (const text of [
      'pip install numpy==1.26.4 && python main.py --epochs 100 --lr 0.001 --seed 424242',
      'db https://app:s3cr3tPass@db.example.com/x',
      'ISBN 978-3-16-148410-0, lat/long 40.7128, -74.0060, population 8,336,817',
    ]) {
      expect(found(text)).toEqual([]);
    }
  });

  it('leaves software and product names in technical prompts alone', () => {
    const text = '## Summary\n\n- Fixed the Login bug in React Native\n- Updated Docker Compose and Kubernetes manifests';
    expect(found(text)).toEqual([]);
  });
  it('reads a nationality or group the model tagged as a place or a person as MISC', () => {
    const text = 'Although the Israeli forces withdrew from Lebanese territory, Muslims in Haifa protested.';
    const spans = found(text);
    expect(spans).toEqual(expect.arrayContaining(['MISC:Israeli', 'MISC:Muslims', 'LOCATION:Haifa']));
    expect(spans.filter((span) => /Israeli|Lebanese|Muslims/.test(span) && !span.startsWith('MISC:'))).toEqual([]);
  });

  it('masks no language or currency named by a nationality, and takes a title over a company suffix', () => {
    const text = 'Done in French, and notified in writing. The sum is to be converted into Ukrainian hryvnias. It named Mr S.A. and Mr H.K.';
    const spans = found(text);
    expect(spans.filter((span) => /French|Ukrainian/.test(span))).toEqual([]);
    expect(spans).toEqual(expect.arrayContaining(['PERSON:Mr S.A.', 'PERSON:Mr H.K.']));
  });

  it('ends an address block at a blank line, and reads a known place alone on a line in capitals', () => {
    const text = 'Application no. 41873/06\n\nJUDGMENT\n\nSTRASBOURG\n\n17 November 2009\n\nPROCEDURE';
    const spans = ner.detect(text);
    expect(spans.filter((span) => text.slice(span.start, span.end).includes('\n\n'))).toEqual([]);
    expect(found(text)).toEqual(expect.arrayContaining([expect.stringMatching(/^(?:LOCATION|ADDRESS|ORG):STRASBOURG$/)]));
    expect(found('Notes\nREADING\nThe list.')).toEqual([]);
  });

  it('reads the parties a contract defines by their role as no names', () => {
    const text = '4.1 The Tenants shall pay a deposit to the Landlord. The Lender lends the Borrower the sum. SIGNED by the Tenants: O. Adebayo';
    expect(found(text).filter((span) => /Tenants|Landlord|Lender|Borrower/.test(span))).toEqual([]);
  });
});

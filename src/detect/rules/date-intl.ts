/**
 * Dates written with another language's month names or in Chinese, Japanese and Korean: "12. März
 * 2024", "3 avril 2023", "5 de mayo de 2024", "3. ožujka 2024.", "2024年3月12日", "1990년 3월 12일".
 * A month name counts only with a day or a year beside it, so words that double as month names
 * ("Mars", "mayo", "Maja") are not dates on their own.
 * @module
 */
import type { Span } from '../../core/span.js';

/**
 * Month names and their common abbreviations in German, French, Spanish, Portuguese, Italian,
 * Dutch, the Nordic languages, and the genitive forms Polish, Czech, Slovak, Croatian and
 * Serbian use after a day. English names are the main date rule's.
 */
const MONTHS = [
  // German
  'januar', 'jänner', 'februar', 'märz', 'mai', 'juni', 'juli', 'oktober', 'dezember', 'jan', 'feb', 'mär', 'okt', 'dez',
  // French
  'janvier', 'février', 'fevrier', 'mars', 'avril', 'juin', 'juillet', 'août', 'aout', 'septembre', 'octobre', 'novembre',
  'décembre', 'decembre', 'janv', 'févr', 'avr', 'juil', 'déc',
  // Spanish
  'enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'setiembre', 'octubre', 'noviembre',
  'diciembre',
  // Portuguese
  'janeiro', 'fevereiro', 'março', 'maio', 'junho', 'julho', 'setembro', 'outubro', 'dezembro',
  // Italian
  'gennaio', 'febbraio', 'aprile', 'maggio', 'giugno', 'luglio', 'settembre', 'ottobre', 'dicembre',
  // Dutch
  'januari', 'februari', 'maart', 'mei', 'augustus',
  // Danish, Norwegian, Swedish
  'marts', 'maj', 'augusti',
  // Polish
  'stycznia', 'lutego', 'marca', 'kwietnia', 'maja', 'czerwca', 'lipca', 'sierpnia', 'września', 'października', 'listopada',
  'grudnia',
  // Czech
  'ledna', 'února', 'března', 'dubna', 'května', 'června', 'července', 'srpna', 'září', 'října', 'listopadu', 'prosince',
  // Slovak
  'januára', 'februára', 'apríla', 'mája', 'júna', 'júla', 'augusta', 'septembra', 'októbra', 'novembra', 'decembra',
  // Croatian
  'siječnja', 'veljače', 'ožujka', 'travnja', 'svibnja', 'lipnja', 'srpnja', 'kolovoza', 'rujna', 'studenoga', 'studenog',
  'prosinca',
  // Serbian (Latin script)
  'januara', 'februara', 'marta', 'aprila', 'juna', 'jula', 'avgusta', 'oktobra',
];
const MONTH_WORDS = new Set(MONTHS);
const ABBREVIATED_MONTHS = new Set(['jan', 'feb', 'mär', 'okt', 'dez', 'janv', 'févr', 'avr', 'juil', 'déc']);
/**
 * Month names that are also names or English words ("Mars", "Maja", "Marta", "Augusta"): written
 * with a capital, they count only with both a day and a year ("3 Mars 2024" but not "Mars 2024").
 */
const NAME_LIKE_MONTHS = new Set(['mars', 'maja', 'marta', 'mayo', 'jula', 'juna', 'augusta', 'aprila', 'jan', 'feb', 'dez', 'mai', 'mei']);

function monthAt(word: string, withDayAndYear: boolean): boolean {
  const lower = word.toLowerCase();
  if (!MONTH_WORDS.has(lower)) return false;
  return withDayAndYear || lower === word || !NAME_LIKE_MONTHS.has(lower) || (lower === 'mai' && word === 'Mai');
}

// Latin letters with the accents of the languages above (U+00C0 to U+017F), without the `u`
// flag: V8 runs these patterns several times faster without it.
// "12.", "1er", "1º", "3" and then a word: the word must be a month name.
// The month names are part of the pattern, so a day followed by any other word fails inside
// the regex engine rather than in a JavaScript loop.
const MONTH_ALTERNATION = [...MONTH_WORDS].sort((a, b) => b.length - a.length).join('|');
const DAY_FIRST = new RegExp(
  `(0?[1-9]|[12]\\d|3[01])(?:\\.|er|º|°)?\\s?(?:de\\s)?(${MONTH_ALTERNATION})\\.?(?:,?\\s(?:de\\s|del\\s)?((?:1[6-9]|20)\\d\\d))?(?![A-Za-z\\u00C0-\\u017F0-9])`,
  'gi',
);
// A year and the word before it: "März 2024", "mayo de 2024".
const YEAR = /(?:1[6-9]|20)\d\d(?![A-Za-z\u00C0-\u017F0-9])/g;
const MONTH_BEFORE_YEAR = /([A-Za-z\u00C0-\u017F]+)\.?\s(?:de\s|del\s)?$/;
const WORD_CHAR = /[\p{L}\p{N}]/u;

/** 2024年3月12日, 3月12日, 2024年3月, 1990년 3월 12일: digits with their unit characters. */
const CJK = /(?:(?:1[6-9]|20)\d\d\s?[年년]\s?)?(?:0?[1-9]|1[0-2])\s?[月월](?:\s?(?:0?[1-9]|[12]\d|3[01])\s?[日일号號])?|(?:1[6-9]|20)\d\d\s?[年년]/gu;

function covered(spans: readonly Span[], start: number, end: number): boolean {
  return spans.some((span) => start < span.end && end > span.start);
}

export function findInternationalDates(text: string, taken: readonly Span[], make: (start: number, end: number) => Span): Span[] {
  const found: Span[] = [];
  const add = (start: number, end: number): void => {
    if (!covered(taken, start, end) && !covered(found, start, end)) found.push(make(start, end));
  };
  DAY_FIRST.lastIndex = 0;
  for (let match = DAY_FIRST.exec(text); match !== null; match = DAY_FIRST.exec(text)) {
    if (WORD_CHAR.test(text.charAt(match.index - 1)) || /[.,]/.test(text.charAt(match.index - 1)) || !monthAt(match[2] as string, match[3] !== undefined)) {
      // The word was no month: look again from the word, which may start "März 2024".
      DAY_FIRST.lastIndex = match.index + 1;
      continue;
    }
    // A full stop after a month name ends the sentence unless the name is abbreviated ("janv.").
    const dropStop = match[0].endsWith('.') && !ABBREVIATED_MONTHS.has((match[2] as string).toLowerCase());
    add(match.index, match.index + match[0].length - (dropStop ? 1 : 0));
  }
  YEAR.lastIndex = 0;
  for (let match = YEAR.exec(text); match !== null; match = YEAR.exec(text)) {
    if (WORD_CHAR.test(text.charAt(match.index - 1))) continue;
    const from = Math.max(0, match.index - 24);
    const before = MONTH_BEFORE_YEAR.exec(text.slice(from, match.index));
    if (before === null || !monthAt(before[1] as string, false)) continue;
    // The word must start where the window does only when the window starts the text or a word.
    if (before.index === 0 && from > 0 && WORD_CHAR.test(text.charAt(from - 1))) continue;
    add(match.index - before[0].length, match.index + match[0].length);
  }
  // indexOf: a one-byte (Latin-1) string answers at once for these characters.
  if (text.indexOf('年') === -1 && text.indexOf('月') === -1 && text.indexOf('년') === -1 && text.indexOf('월') === -1) return found;
  CJK.lastIndex = 0;
  for (let match = CJK.exec(text); match !== null; match = CJK.exec(text)) {
    // A month needs its day or year: "3月" alone may be "March" or "three months".
    if (!/[日일号號年년]/u.test(match[0]) || /\d/.test(text.charAt(match.index - 1))) continue;
    add(match.index, match.index + match[0].length);
  }
  return found;
}

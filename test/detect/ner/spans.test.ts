import { describe, expect, it } from 'vitest';
import { tagsToEntities } from '../../../src/detect/ner/spans.js';
import { beginTag, ENTITY_LABELS, type NerLabel } from '../../../src/detect/ner/tags.js';
import { tokenize } from '../../../src/detect/ner/tokenize.js';

/**
 * The entities that the span step makes of `text` when the model tags `tagged` (a substring of
 * `text`, by whole tokens) as one `label` entity: the post-processing alone, whatever a model says.
 */
function entitiesFor(text: string, tagged: ReadonlyArray<readonly [string, NerLabel]>): string[] {
  const tokens = tokenize(text);
  const tags = new Uint8Array(tokens.length);
  for (const [value, label] of tagged) {
    const start = text.indexOf(value);
    const end = start + value.length;
    const begin = beginTag(ENTITY_LABELS.indexOf(label));
    let first = true;
    tokens.forEach((token, index) => {
      if (token.start < start || token.end > end) return;
      tags[index] = first ? begin : begin + 1;
      first = false;
    });
  }
  return tagsToEntities(text, tokens, tags).map((entity) => `${entity.label}:${text.slice(entity.start, entity.end)}`);
}

describe('span post-processing', () => {
  it('drops an English phrase before an organisation or person, but not name particles or other languages\' nouns', () => {
    const text = 'upheld the judgment of the City Court of Copenhagen on appeal';
    expect(entitiesFor(text, [['judgment of the City Court of Copenhagen', 'ORG']])).toEqual(['ORG:City Court of Copenhagen']);
    expect(entitiesFor('a painting by the great van Gogh today', [['the great van Gogh', 'PERSON']])).toEqual(['PERSON:van Gogh']);
    // Serbian puts the common noun first ("king Otto"); without a function word the span stays.
    expect(entitiesFor('dolazak kralja Otoa u Grčku', [['kralja Otoa', 'PERSON']])).toEqual(['PERSON:kralja Otoa']);
    // The same after the name; other languages' lower-case name endings stay.
    const tail = 'the decision of the Bratislava I District Court and remitted the case; the Ústavný súd dismissed it';
    expect(entitiesFor(tail, [['Bratislava I District Court and remitted', 'ORG'], ['Ústavný súd', 'ORG']])).toEqual([
      'ORG:Bratislava I District Court',
      'ORG:Ústavný súd',
    ]);
    // Places keep lower-case street words.
    expect(entitiesFor('mieszka ul. Miła 53 w Warszawie', [['ul. Miła 53', 'LOCATION']])).toEqual(['LOCATION:ul. Miła 53']);
  });

  it('never keeps half of a bracket pair: splits at it, or drops it at an edge', () => {
    expect(entitiesFor('appealed to the Supreme Court (Højesteret) in May', [['Supreme Court (Højesteret', 'ORG']])).toEqual([
      'ORG:Supreme Court',
      'ORG:Højesteret',
    ]);
    expect(entitiesFor('Petr Korda (Czech Republic) beat', [['Czech Republic)', 'LOCATION']])).toEqual(['LOCATION:Czech Republic']);
    expect(entitiesFor('the Eastern High Court (Østre Landsret) held', [['Eastern High Court', 'ORG'], ['Østre Landsret', 'LOCATION']])).toEqual([
      'ORG:Eastern High Court',
      'LOCATION:Østre Landsret',
    ]);
  });

  it('gives a company cut short its name words before the legal-form suffix, never another entity\'s', () => {
    expect(entitiesFor('The company Fortuna Invest A/S and its director', [['Invest A/S', 'ORG']])).toEqual(['ORG:Fortuna Invest A/S']);
    expect(entitiesFor('shares of KinderCare Learning Centers Inc rose', [['Learning Centers Inc', 'ORG']])).toEqual([
      'ORG:KinderCare Learning Centers Inc',
    ]);
    expect(entitiesFor('Laurie Ellis Enron Net Works LLC', [['Laurie Ellis', 'PERSON'], ['Net Works LLC', 'ORG']])).toEqual([
      'PERSON:Laurie Ellis',
      'ORG:Enron Net Works LLC',
    ]);
    expect(entitiesFor('Galen Torneby Project Manager National Energy Corporation', [['National Energy Corporation', 'ORG']])).toEqual([
      'ORG:National Energy Corporation',
    ]);
    // Sentence words are not part of the name, and organisations without a suffix do not grow.
    expect(entitiesFor('The Acme Ltd board met', [['Acme Ltd', 'ORG']])).toEqual(['ORG:Acme Ltd']);
    expect(entitiesFor('Yesterday Globex announced', [['Globex', 'ORG']])).toEqual(['ORG:Globex']);
  });

  it('reads a law-report abbreviation between volume and page as a citation, not a place', () => {
    const text = 'See Miranda v. Arizona, 384 U.S. 436 (1966), decided in the U.S. in 1966.';
    // The model's "U.S." would otherwise take the volume as a house number: "Arizona, 384 U.S.".
    expect(entitiesFor(text, [['Arizona', 'LOCATION'], ['U.S.', 'LOCATION']])).toEqual(['LOCATION:Arizona']);
    expect(entitiesFor('born in the U.S. in 1966', [['U.S.', 'LOCATION']])).toEqual(['LOCATION:U.S.']);
  });

  it('leaves record field labels and credentials out of names, and never keeps one alone', () => {
    expect(entitiesFor('Name: Hernandez, Luis   Acct#: 7782', [['Luis   Acct', 'PERSON']])).toEqual(['PERSON:Luis']);
    expect(entitiesFor('Next appt with Ms. Alvarez, LCSW today', [['Alvarez', 'PERSON'], ['LCSW', 'ORG']])).toEqual(['PERSON:Ms. Alvarez']);
    expect(entitiesFor('Seen by Ms. Ward today', [['Ward', 'PERSON']])).toEqual(['PERSON:Ms. Ward']);
    expect(entitiesFor('her IP was 10.0.0.1', [['IP', 'ORG']])).toEqual([]);
    // Quote marks and the labels and possessives of German forms are not part of a name.
    expect(entitiesFor("WHERE last_name = 'Okonkwo';", [["'Okonkwo", 'PERSON']])).toEqual(['PERSON:Okonkwo']);
    expect(entitiesFor('Meine Steuer-ID ist 12 345 678 901', [['Meine Steuer-ID', 'PERSON']])).toEqual([]);
    expect(entitiesFor('a trip along the Seine in Paris', [['Seine', 'LOCATION']])).toEqual(['LOCATION:Seine']);
    // German capitalises weekdays: "am Montag" is not a first name.
    expect(entitiesFor('Merkel traf sich am Montag in Berlin', [['Montag', 'PERSON']])).toEqual([]);
  });

  it('ends an institution\'s name at its head word, before the verb the model ran on into', () => {
    const text = 'the Haskovo District Court found him guilty; the Court of Appeal agreed; the Okresný súd dismissed it';
    expect(entitiesFor(text, [['Haskovo District Court found', 'ORG'], ['Court of Appeal', 'ORG'], ['Okresný súd', 'ORG']])).toEqual([
      'ORG:Haskovo District Court',
      'ORG:Court of Appeal',
      'ORG:Okresný súd',
    ]);
  });

  it('reads a name right after a person\'s title as a person, and what follows "of the" as its own entity', () => {
    const text = 'a certificate issued by Dr Todorova of the Sliven hospital recorded bruises';
    expect(entitiesFor(text, [['Todorova of the Sliven hospital', 'ORG']])).toEqual(['PERSON:Dr Todorova', 'ORG:Sliven hospital']);
    expect(entitiesFor('she wrote to Mr. Okafor today', [['Okafor', 'ORG']])).toEqual(['PERSON:Mr. Okafor']);
    // A lower-case "miss" is a verb, not a title.
    expect(entitiesFor('they would miss England on Sunday', [['England', 'LOCATION']])).toEqual(['LOCATION:England']);
  });

  it('never reads an amount or a clinical abbreviation as a name', () => {
    expect(entitiesFor('he was released on bail of BGN 2,000 today', [['BGN 2', 'ORG']])).toEqual([]);
    expect(entitiesFor('awarded 3,000 euros (EUR) plus interest', [['EUR', 'ORG']])).toEqual([]);
    expect(entitiesFor('ECG showed NSR. CARDIOLOGY CONSULT NOTE', [['NSR', 'ORG'], ['CONSULT', 'ORG']])).toEqual([]);
  });

  it('keeps the nouns and greetings of German letters out of names, and calls a name with a legal form a company', () => {
    const text = 'Sehr geehrte Frau Schneider, vielen Dank für Ihr Schreiben. Ihre Unterlagen gingen an die Allianz Versicherungs-AG.';
    expect(
      entitiesFor(text, [['geehrte Frau Schneider', 'PERSON'], ['vielen Dank', 'PERSON'], ['Ihr Schreiben', 'PERSON'], ['Unterlagen', 'ORG'], ['Allianz Versicherungs-AG', 'LOCATION']]),
    ).toEqual(['PERSON:Frau Schneider', 'ORG:Allianz Versicherungs-AG']);
    // Directions end addresses too: "SE" and "SA" do not make a place a company.
    expect(entitiesFor('meet at Main St SE tomorrow', [['Main St SE', 'LOCATION']])).toEqual(['LOCATION:Main St SE']);
  });

  it('keeps a surname after a quoted nickname with the name it belongs to', () => {
    const text = 'Thanks,\nRobert "Bob" Okonkwo-Smith\nSenior Support Lead';
    expect(entitiesFor(text, [['Robert', 'PERSON'], ['Bob', 'PERSON']])).toEqual(['PERSON:Robert "Bob" Okonkwo-Smith']);
    // A quoted name followed by lower-case words stays as it was.
    expect(entitiesFor('Ask Maria "Mia" about it', [['Maria', 'PERSON'], ['Mia', 'PERSON']])).toEqual(['PERSON:Maria', 'PERSON:Mia']);
  });

  it('drops a contract party\'s role, a whole case citation and document acronyms, whatever the label', () => {
    const text = 'the Borrower shall repay the Landlord\'s deposit to the Seller; see Twombly, 550 U.S. 544 (2007); pay to the IBAN below';
    expect(
      entitiesFor(text, [['Borrower', 'ORG'], ["Landlord's", 'ORG'], ['Seller', 'PERSON'], ['Twombly', 'PERSON'], ['550 U.S. 544', 'LOCATION'], ['IBAN', 'ORG']]),
    ).toEqual(['PERSON:Twombly']);
  });

  it('never calls a list of phone numbers and their labels a place', () => {
    const text = 'mobile 0412 555 678\nTel. 030 12345678\n';
    expect(entitiesFor(text, [['0412 555 678\nTel. 030 12345678', 'LOCATION']])).toEqual([]);
  });
});

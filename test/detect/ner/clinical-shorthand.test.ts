import { describe, expect, it } from 'vitest';
import { looksClinical } from '../../../src/detect/clinical-text.js';
import { headingRanges, isDepartment, isNoteShorthand } from '../../../src/detect/ner/clinical-shorthand.js';
import type { FeatureLexicon } from '../../../src/detect/ner/features.js';
import { GAZ } from '../../../src/detect/ner/features.js';
import { createNerDetector } from '../../../src/detect/ner/ner-detector.js';

const lexicon: FeatureLexicon = {
  gazetteer: new Map([['boston', GAZ.CITY]]),
  capitalisation: new Map([
    ['gross', 0],
    ['description', 0],
    ['and', 0],
    ['lateral', 1],
    ['general', 1],
    ['hospital', 1],
    ['boston', 4],
  ]),
};

const NOTE = 'HPI: 72F w/ h/o HTN, DM, CKD. Pt denies SOB. Labs: Cr 2.3 (AKI on CKD III). HR 132, RR 32. Plan: RTC 3 mo.';

describe('clinical notes', () => {
  it('are told from other text by their cues', () => {
    expect(looksClinical(NOTE)).toBe(true);
    expect(looksClinical('Customer Maria Garcia paid with card 4111 and asked for a refund. She lives in Boston.')).toBe(false);
    expect(looksClinical('The case originated in an application against Bulgaria lodged with the Court.')).toBe(false);
  });

  it('have abbreviations, vital signs and headings that are not names', () => {
    for (const value of ['AKI', 'HCP', 'DNR/DNI', 'RTC 3', 'CKD III', 'HR 132, RR 32', 'Cystoscopy', 'Pathologist', 'GROSS DESCRIPTION', 'AND LATERAL']) {
      expect(isNoteShorthand(value, lexicon), value).toBe(true);
    }
    // Names, initials and institutions stay, whatever their case.
    for (const value of ['Aki', 'J. K.', 'UCSF', 'GENERAL HOSPITAL', 'BOSTON', 'Mass General', 'US Army']) {
      expect(isNoteShorthand(value, lexicon), value).toBe(false);
    }
    const text = 'Past Medical History: none. Brief Hospital Course: uneventful.';
    expect(headingRanges(text).map((range) => text.slice(range.start, range.end))).toEqual(['Past Medical History', 'Brief Hospital Course']);
  });

  it('leave the built-in NER without organisations made of shorthand', () => {
    const spans = createNerDetector().detect(NOTE);
    const names = spans.filter((span) => span.type === 'ORG' || span.type === 'PERSON').map((span) => NOTE.slice(span.start, span.end));
    expect(names).toEqual([]);
    expect(spans.filter((span) => span.type === 'AGE').map((span) => NOTE.slice(span.start, span.end))).toEqual(['72']);
  });
  it('reads a note title in capitals as a heading, a facility named on its line as a name', () => {
    const titles = (text: string): string[] => headingRanges(text).map((range) => text.slice(range.start, range.end).trim());
    expect(titles('DERMATOLOGY CLINIC NOTE\nCoastal Skin & Laser - Charleston, SC\nED TRIAGE\n')).toEqual(['DERMATOLOGY CLINIC NOTE', 'ED TRIAGE']);
    expect(titles('MERCY GENERAL HOSPITAL - DEPARTMENT OF RADIOLOGY\nPatient: ABDULLAH, YUSUF')).toEqual([]);
  });

  it('reads British and Indian shorthand, handover titles and departments named by their specialty as no names', () => {
    for (const value of ['FBC', 'U&E', 'QDS', 'DMARD', 'OPD', 'FRCPath', 'e-Rx', 'PET-CT']) expect(isNoteShorthand(value, lexicon), value).toBe(true);
    const titles = (text: string): string[] => headingRanges(text).map((range) => text.slice(range.start, range.end).trim());
    expect(titles('NURSING HANDOVER — ISBAR\nEMERGENCY DEPARTMENT — TRIAGE ASSESSMENT\n')).toEqual(['NURSING HANDOVER — ISBAR', 'EMERGENCY DEPARTMENT — TRIAGE ASSESSMENT']);
    for (const value of ['Cardiology', 'Diagnostic Radiology', 'Department of Medicine for Older People', 'Paediatric Respiratory Clinic', 'Utilization Management — Pharmacy']) {
      expect(isDepartment(value), value).toBe(true);
    }
    for (const value of ['Mayo Clinic', 'Thamesview Hospital', 'General Services', 'Cleveland Clinic']) expect(isDepartment(value), value).toBe(false);
    const note = 'Seen in clinic. HbA1c 71. Plan: FBC, U&E.\nRe: Mr Zbigniew NOWAK   DOB 01/12/1949   NHS No 119 718 1474\nFOLLOW-UP: Cardiology OPD on 17/01/2024.';
    const orgs = createNerDetector().detect(note).filter((span) => span.type === 'ORG').map((span) => note.slice(span.start, span.end));
    expect(orgs).toEqual([]);
  });
});

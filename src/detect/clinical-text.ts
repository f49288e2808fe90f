/**
 * Whether a text reads like a clinical note. Notes write dates, ages and abbreviations in their own
 * shorthand ("presented 3/1", "s/p ureteroscopy 2018", "72F w/ AF", "ECG showed NSR"), which
 * elsewhere would be fractions, counts or names; the detectors read that shorthand only in texts
 * that hold several of the cues below.
 * @module
 */

// ASCII only and case-sensitive where the cue is: abbreviations are written in one case.
const CUES =
  /\b(?:s\/p|h\/o|c\/o|w\/|f\/u|HPI|PMH|PSH|ROS|NKDA|BID|TID|QID|PRN|prn|bid|tid|qhs|mg|mcg|mEq|mmHg|SpO2|afebrile|Dx|Hx|Rx|dx|hx|MRN|DOB|Labs|labs|Vitals|vitals|Meds|meds|Allergies|admitted|discharged|Discharge|Admission|diagnosis|Diagnosis|Assessment|A\/P|Plan:|Pt|pt|yo|y\/o|presents|presented|denies|Denies|CXR|ECG|EKG|CBC|BMP|INR|HbA1c|A1c|ICU|NPO|IV|PO|SOB|CP|HTN|DM|CAD|CHF|COPD|CKD|Cr|Hgb|WBC|BP|HR|RR|RN|MD|NP|PA-C)\b/g;
/** Words of notes in any case ("PATIENT NAME:", "Indication:", "DEATH NOTE"). */
const WORD_CUES =
  /\b(?:patient|diagnosis|indication|procedure|examination|specimen|surgeon|anesthesia|anaesthesia|hospital|clinic|medication|medications|pathology|cytology|radiology|biopsy|symptoms|physician|nurse|mrn|dob|nhs|exam|consult|referring|dictated|discharge|admission|allergies|dnr|bedside|technique|impression|findings|contrast|echocardiogram|chaplain)\b/gi;
/** Distinct cues a clinical note holds at least. */
const MIN_CUES = 4;

export function looksClinical(text: string): boolean {
  const seen = new Set<string>();
  CUES.lastIndex = 0;
  for (let match = CUES.exec(text); match !== null && seen.size < MIN_CUES; match = CUES.exec(text)) seen.add(match[0]);
  if (seen.size >= MIN_CUES) return true;
  // Every note holds an abbreviation or two; without any the word scan is not worth its time.
  if (seen.size === 0) return false;
  WORD_CUES.lastIndex = 0;
  for (let match = WORD_CUES.exec(text); match !== null && seen.size < MIN_CUES; match = WORD_CUES.exec(text)) seen.add(match[0].toLowerCase());
  return seen.size >= MIN_CUES;
}

/**
 * What the model reads as a name in clinical notes but is the notes' own shorthand: abbreviations
 * ("AKI", "HCP", "DNR/DNI", "RTC 3"), vital signs ("HR 132, RR 32"), medical words ("Cystoscopy",
 * "Pathologist") and section headings ("GROSS DESCRIPTION", "Brief Hospital Course:"). Used only
 * on texts that look clinical (`clinical-text.ts`), since elsewhere "AC" or "CP" may be a name.
 * @module
 */
import type { FeatureLexicon } from './features.js';

/** Abbreviations as notes write them (case-sensitive: "AKI" is shorthand, "Aki" a name). */
const SHORTHAND = new Set([
  'HCP', 'AKI', 'SW', 'DNR', 'DNI', 'DNR/DNI', 'AC', 'RA', 'MTX', 'MICU', 'SICU', 'CCU', 'NICU', 'PICU', 'CVICU', 'Labs', 'RTC', 'CEA',
  'LKW', 'L&D', 'ARDS', 'PEEP', 'RUL', 'RLL', 'LUL', 'LLL', 'RML', 'PONV', 'IOP', 'EGD', 'ERCP', 'UF', 'CP', 'CAD', 'CKD', 'DOE',
  'LE', 'RLE', 'LLE', 'RUE', 'LUE', 'RLQ', 'LLQ', 'RUQ', 'LUQ', 'NSG', 'CV', 'POC', 'CM', 'IDC', 'IDA', 'IHC', 'VM', 'SNAP',
  'ALT', 'AST', 'TP', 'GAD', 'LMHC', 'TBR', 'TIR', 'ACEi', 'ARB', 'OA', 'TKA', 'THA', 'ORIF', 'Trop', 'Replete', 'HOLD',
  'OTC', 'HR', 'RR', 'BP', 'SpO2', 'O2', 'Temp', 'Wt', 'Ht', 'BMI', 'GCS', 'NIHSS', 'LVEF', 'EF', 'RVR', 'AF', 'AFib', 'NSR',
  'SVT', 'VT', 'VF', 'PEA', 'ROSC', 'STEMI', 'NSTEMI', 'UGIB', 'LGIB', 'GIB', 'PNA', 'UTI', 'DKA', 'HHS', 'SBO', 'PE', 'DVT',
  'MRSA', 'MSSA', 'VRE', 'CDI', 'TPN', 'NGT', 'PEG', 'PICC', 'CVC', 'ETT', 'BiPAP', 'CPAP', 'HFNC', 'NC', 'ABG', 'VBG',
  'CXR', 'KUB', 'CTA', 'MRA', 'MRI', 'CT', 'US', 'TTE', 'TEE', 'EEG', 'EMG', 'PFT', 'PFTs', 'LFTs', 'BMP', 'CMP', 'CBC', 'INR',
  'PTT', 'BNP', 'TSH', 'UA', 'UDS', 'PT', 'OT', 'SLP', 'SNF', 'LTAC', 'VNA', 'HHA', 'PCP', 'ED', 'ER', 'OR', 'PACU', 'ICU',
  'POD', 'HD', 'CRRT', 'IVF', 'NPO', 'PRN', 'BID', 'TID', 'QID', 'QHS', 'Staging', 'Hospitalist', 'Intensivist',
  'Cystoscopy', 'Croup', 'Calot', 'Vicryl', 'Prolene', 'Monocryl', 'MDD', 'PTSD', 'SI', 'HI', 'AH', 'VH',
  'MSE', 'CIWA', 'COWS', 'AUDIT', 'PHQ-9', 'GAD-7', 'AAOx3', 'NAD', 'RRR', 'CTAB', 'HEENT', 'PERRL', 'PERRLA', 'EOMI', 'JVD',
  'NCD', 'FOLFOX', 'FOLFIRI', 'CAPOX', 'MCA', 'ACA', 'PCA', 'EDD', 'LMP', 'PNC', 'HBsAg', 'BSUS', 'CBG', 'ROM', 'AROM', 'PROM',
  'HEP', 'LV', 'RV', 'LA', 'CBT', 'DBT', 'LTVV', 'VAP', 'CSIs', 'RCR', 'OUD', 'AUD', 'MOUD', 'TMZ', 'DWI', 'FLAIR', 'BCG', 'MAC',
  'Hgb', 'Hct', 'Plt', 'WBC', 'Micro', 'Abd', 'Ext', 'Neuro', 'Psych', 'WNL', 'KRAS', 'EGFR', 'HER2', 'BRCA', 'IDH-wildtype',
  'chemoRT', 'XRT', 'SBRT', 'Xpert', 'Asc', 'TR', 'MR', 'AR', 'AS', 'MS', 'PS', 'Trace', 'Stage', 'AG', 'Hep', 'Ab', 'AC/VC',
  'RHD', 'G12D', 'ECOG', 'KPS', 'NYHA', 'ASA', 'BSA', 'TIBC', 'PSA', 'CA-125', 'AFP', 'LDH', 'CRP', 'ESR', 'RF', 'CCP', 'ANA',
  // As British, Irish, Indian, Australian and NZ notes write them: tests, doses, wards, forms and credentials.
  'FBC', 'U&E', 'U&Es', 'LFT', 'RBS', 'FBS', 'PPBS', 'HbA1c', 'eGFR', 'CK', 'ECG', 'EKG', 'OGD', 'USS', 'CTPA', 'MSU', 'CSU', 'PET-CT',
  'CBD', 'QDS', 'TDS', 'BD', 'OD', 'NOCTE', 'STAT', 'PO', 'IV', 'IM', 'SC', 'SL', 'Rx', 'e-Rx', 'DMARD', 'DMARDs', 'NSAID',
  'NSAIDs', 'PPI', 'SSRI', 'SNRI', 'DOAC', 'LMWH', 'VTE', 'LBP', 'T2DM', 'T1DM', 'DM', 'HTN', 'IHD', 'CCF', 'COPD', 'CVA', 'TIA',
  'GORD', 'GERD', 'OSA', 'SVD', 'LSCS', 'BOP', 'THC', 'PTEN', 'OPD', 'IPD', 'TPA', 'MDT', 'A&E', 'AMU', 'SDEC', 'HDU', 'ITU', 'TTO',
  'NOK', 'DNACPR', 'ReSPECT', 'ISBAR', 'SBAR', 'NEWS2', 'NMS', 'ACB', 'NASC', 'RSW', 'ODP', 'BCPS', 'PharmD', 'FRCPath', 'FRCP',
  'MRCP', 'MRCS', 'FRCS', 'MBBS', 'MBChB', 'BPhty', 'MNZSP', 'RM', 'RGN', 'RMN', 'FY1', 'FY2', 'SHO', 'SpR', 'PMH', 'HPC', 'DH',
  'O/E', 'Dx', 'Hx', 'Sx', 'Tx', 'Fx', 'EBL', 'GA',
]);
/**
 * Words of a department's name ("Diagnostic Radiology", "Department of Medicine for Older People",
 * "Paediatric Respiratory Clinic"): a department alone names no one, unlike the hospital it is in.
 */
const DEPARTMENT_WORDS = new Set([
  'department', 'dept', 'division', 'section', 'service', 'services', 'unit', 'team', 'clinic', 'clinics', 'opd', 'ward', 'of', 'for',
  'and', '&', 'the', 'cardiology', 'radiology', 'diagnostic', 'interventional', 'oncology', 'haematology', 'hematology', 'neurology',
  'neurosurgery', 'nephrology', 'renal', 'urology', 'gastroenterology', 'hepatology', 'endocrinology', 'diabetes', 'rheumatology',
  'dermatology', 'ophthalmology', 'otolaryngology', 'ent', 'orthopaedics', 'orthopedics', 'orthopaedic', 'orthopedic', 'trauma',
  'paediatric', 'pediatric', 'paediatrics', 'pediatrics', 'neonatal', 'neonatology', 'obstetrics', 'gynaecology', 'gynecology',
  'maternity', 'midwifery', 'antenatal', 'psychiatry', 'psychology', 'mental', 'health', 'geriatric', 'geriatrics', 'elderly', 'care',
  'palliative', 'pain', 'emergency', 'acute', 'general', 'internal', 'family', 'medicine', 'surgery', 'surgical', 'medical',
  'anaesthesia', 'anesthesia', 'anaesthetics', 'critical', 'intensive', 'respiratory', 'pulmonology', 'pulmonary', 'thoracic',
  'vascular', 'plastic', 'infectious', 'diseases', 'infection', 'microbiology', 'pathology', 'histopathology', 'cytopathology',
  'laboratory', 'pharmacy', 'physiotherapy', 'rehabilitation', 'occupational', 'therapy', 'speech', 'dietetics', 'nutrition',
  'dental', 'oral', 'maxillofacial', 'breast', 'colorectal', 'sleep', 'allergy', 'immunology', 'genetics', 'nuclear', 'imaging',
  'outpatient', 'outpatients', 'inpatient', 'older', 'people', 'adult', 'adults', 'child', 'children', 'adolescent', 'community',
  'primary', 'liaison', 'utilization', 'utilisation', 'management', 'clinical', 'stroke', 'cardiac', 'cardiothoracic', 'endoscopy',
]);
/** At least one of these makes it a department ("General Services" alone is not one). */
const SPECIALTY = /^(?:cardiology|radiology|oncology|ha?ematology|neurology|neurosurgery|nephrology|renal|urology|gastroenterology|hepatology|endocrinology|diabetes|rheumatology|dermatology|ophthalmology|otolaryngology|ent|orthopa?edics?|orthopa?edic|trauma|pa?ediatrics?|neonatal|neonatology|obstetrics|gyn(?:a)?ecology|maternity|midwifery|antenatal|psychiatry|psychology|mental|geriatrics?|palliative|emergency|acute|medicine|surgery|an(?:a)?esthe(?:sia|tics)|critical|intensive|respiratory|pulmonology|pulmonary|thoracic|vascular|infectious|microbiology|pathology|histopathology|cytopathology|pharmacy|physiotherapy|rehabilitation|dietetics|dental|maxillofacial|colorectal|immunology|genetics|imaging|stroke|cardiac|cardiothoracic|endoscopy|utili[sz]ation)$/;

/** Whether `value` is a department of a hospital or an insurer named by its specialty alone. */
export function isDepartment(value: string): boolean {
  const words = value.toLowerCase().match(/[a-z&]+/g) ?? [];
  return words.length > 0 && words.every((word) => DEPARTMENT_WORDS.has(word)) && words.some((word) => SPECIALTY.test(word));
}
/** Medical word endings that no name has ("Cystoscopy", "Microalbuminuria", "Pathologist"). */
const MEDICAL_WORD = /^[A-Z][a-z]+(?:oscopy|ectomy|otomy|ostomy|plasty|itis|osis|emia|aemia|uria|algia|ologist|ography|ogram|italist|iatrist|opathy)$/;
/** Section headings of notes, where a word or two may look like a name ("Brief Hospital Course:"). */
const HEADINGS =
  /\b(?:past medical history|past surgical history|brief hospital course|hospital course|major surgical or invasive procedure|history of present illness|discharge (?:disposition|diagnosis|condition|instructions|medications)|followup instructions|follow-up instructions|physical exam(?:ination)?|pertinent results|social history|family history|chief complaint|review of systems|assessment and plan|medications on admission|gross description|microscopic (?:description|diagnosis)|final diagnosis|clinical (?:history|indication|information)|procedure note|operative report)\b/gi;
/** Words that make an all-capitals line a name after all ("GENERAL HOSPITAL"). */
const NAME_WORDS = new Set(['hospital', 'clinic', 'center', 'centre', 'university', 'institute', 'school', 'college', 'foundation', 'trust', 'church', 'company']);
const TOKEN = /[A-Za-z0-9][A-Za-z0-9&/+'’-]*/g;

/**
 * Whether `value` (a span of a clinical note) is the note's shorthand or a heading, not a name:
 * every word is an abbreviation of the list, a one- or two-letter capital, a number, a Roman
 * numeral or a lower-case word, or the span is one medical word, or it is in capitals and made
 * only of words that running text writes in lower case.
 */
export function isNoteShorthand(value: string, lexicon: FeatureLexicon): boolean {
  const words = value.match(TOKEN) ?? [];
  if (words.length === 0) return false;
  if (words.length === 1 && MEDICAL_WORD.test(words[0] as string)) return true;
  const shorthand = words.every(
    (word) => SHORTHAND.has(word) || /^[A-Z][A-Z0-9]?$/.test(word) || /^\d/.test(word) || /^[IVX]+$/.test(word) || /^[a-z][a-z/-]*$/.test(word),
  );
  // At least one listed abbreviation: initials alone ("J. K.") are a name.
  if (shorthand && words.some((word) => SHORTHAND.has(word))) return true;
  // A heading in capitals: "GROSS DESCRIPTION", "PEDIATRIC", "AND LATERAL".
  if (value === value.toUpperCase() && /[A-Z]{3}/.test(value)) {
    return words.every((word) => {
      const lower = word.toLowerCase();
      if (NAME_WORDS.has(lower) || /\d/.test(word)) return false;
      const cap = lexicon.capitalisation.get(lower);
      // A long word running text never shows ("TRANSTHORACIC") counts as common unless it is a
      // listed name or place; a short one is more likely an acronym of a name ("UCSF", "AARP").
      if (cap === undefined) return lower.length >= 7 && (lexicon.gazetteer.get(lower) ?? 0) === 0;
      return cap <= 1;
    });
  }
  return false;
}

/** A line in capitals, as notes open with their kind ("DERMATOLOGY CLINIC NOTE", "ED TRIAGE", "EMERGENCY DEPARTMENT — TRIAGE"). */
const CAPITALS_LINE = /^[ \t]*[A-Z][A-Z &/:—–-]{2,80}[ \t]*$/gm;
/** Words that make such a line the note's title, whatever else it names. */
const NOTE_TITLE_WORD =
  /\b(?:NOTE|NOTES|ASSESSMENT|INTAKE|VISIT|REPORT|SUMMARY|TRIAGE|EVALUATION|CONSULT|CONSULTATION|PROGRESS|ADMISSION|DISCHARGE|CYTOLOGY|PATHOLOGY|RADIOLOGY|H&P|ENCOUNTER|RECONCILIATION|ORDERS|INSTRUCTIONS|LETTER|REFERRAL|FOLLOW-UP|FOLLOWUP|CLINIC|SCREENING|HANDOFF|TRANSFER|HANDOVER|TREATMENT|REVIEW|CARD|PLAN|RECORD|ISBAR|SBAR|CHART|CERTIFICATE|AUTHORIZATION|AUTHORISATION|REQUEST|PRESCRIPTION)\b/;

/** A facility's own name on the line ("MERCY GENERAL HOSPITAL - DEPARTMENT OF RADIOLOGY") keeps it a name. */
const FACILITY_WORD = /\b(?:HOSPITAL|HOSPITALS|CENTER|CENTRE|UNIVERSITY|INSTITUTE|COLLEGE|FOUNDATION|TRUST|INFIRMARY|SYSTEM|GROUP)\b/;

/** Offsets of the section headings and note titles in `text`, for dropping spans inside them. */
export function headingRanges(text: string): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  HEADINGS.lastIndex = 0;
  for (let match = HEADINGS.exec(text); match !== null; match = HEADINGS.exec(text)) ranges.push({ start: match.index, end: match.index + match[0].length });
  CAPITALS_LINE.lastIndex = 0;
  for (let match = CAPITALS_LINE.exec(text); match !== null; match = CAPITALS_LINE.exec(text)) {
    if (NOTE_TITLE_WORD.test(match[0]) && !FACILITY_WORD.test(match[0])) ranges.push({ start: match.index, end: match.index + match[0].length });
  }
  return ranges;
}

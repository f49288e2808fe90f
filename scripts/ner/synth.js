// Synthetic training sentences for the NER model, written by us and filled with fake values
// from @faker-js/faker (MIT). They teach what the public corpora under-represent: greetings and
// e-mail signatures, titles, lists, possessives, lower-case and all-caps names, street
// addresses with numbers, clinical and legal phrasing (record headers, narratives that refer back
// by surname, letters, court captions, case names, counsel and firms, agencies), organisations
// with "of" / "&" / suffixes or none, initials and hyphenated names, capitalised place lines, and
// negatives (code, units, dates, legal and clinical boilerplate) that must stay untagged. Offsets are UTF-16, spans carry PERSON / LOCATION / ORG.
import { allFakers } from '@faker-js/faker';
import { WORLD_CITY_NAMES as WORLD } from './gazetteer.js';
import { mulberry32, pick } from './random.js';

const LOCALES = ['en_US', 'en_GB', 'en_AU', 'en_IN', 'de', 'fr', 'es', 'it', 'pt_BR', 'nl', 'pl', 'sv', 'da', 'fi', 'cs_CZ', 'hr', 'hu', 'tr', 'ro', 'nb_NO', 'en_NG', 'vi', 'id_ID'];

/** A text under construction: literal pieces and labelled pieces. */
class Builder {
  constructor() {
    this.text = '';
    this.spans = [];
  }
  lit(s) {
    this.text += s;
    return this;
  }
  ent(s, label) {
    // Faker values can carry edge spaces (" 4 Calle ..."): the span covers the value only.
    const start = this.text.length + (s.length - s.trimStart().length);
    this.text += s;
    const end = this.text.length - (s.length - s.trimEnd().length);
    if (label && end > start) this.spans.push({ start, end, label });
    return this;
  }
}

function tryOr(fn, fallback) {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

const TITLES = ['Dr.', 'Dr', 'Mr.', 'Mrs.', 'Ms.', 'Miss', 'Prof.', 'Professor', 'Sir', 'Judge', 'Nurse', 'Mr', 'Mrs', 'Ms'];
const GREET = ['Hi', 'Hello', 'Dear', 'Hey', 'Good morning', 'Morning'];
const SIGN = ['Thanks', 'Best regards', 'Regards', 'Cheers', 'Kind regards', 'Sincerely', 'Best', 'Thank you', 'Many thanks'];
const HOSPITAL_PATTERNS = [
  (f, c) => `${c} General Hospital`,
  (f) => `St. ${f.person.firstName()}'s Hospital`,
  (f, c) => `${c} Medical Center`,
  (f) => `${f.person.lastName()} Clinic`,
  (f, c) => `University of ${c}`,
  (f, c) => `${c} Community College`,
  (f) => `${f.person.lastName()} Elementary School`,
  (f, c) => `${c} City Council`,
  (f, c) => `Department of ${['Health', 'Justice', 'Education', 'Labor'][Math.floor(c.length % 4)]}`,
  (f, c) => `${c} Police Department`,
];
const NEGATIVES = [
  'Run npm install and then call getUserName() on line 42.',
  'The dose is 5 mg twice daily for 10 days.',
  'Set MAX_RETRIES=3 in config.yaml and restart the service.',
  'BP 120/80, HR 72, temperature 37.2 C.',
  'See section 4.2 and Table 3 for details.',
  'The function parseDate returns null when the input is empty.',
  'Invoice total: 1,250.00 EUR due on 2024-03-01.',
  'Meeting moved to Monday at 10:30.',
  'Please review PR #1234 before Friday.',
  'Use the --force flag only if the build fails.',
  'The patient denies chest pain, fever or shortness of breath.',
  'Call me back when you get a chance.',
  'The court dismissed the appeal as inadmissible.',
  'Error: Cannot read properties of undefined (reading "map")',
  'Order 3 units of SKU A-1049 by June.',
  'The quarterly report is attached.',
  'We should refactor the UserService class and the AuthController.',
  'Take 2 tablets every 6 hours as needed.',
  'Model X scored 0.93 F1 on the benchmark.',
  'Weight 70 kg, height 175 cm.',
];

const KINDS = 43;

const CARE_PATTERNS = [
  (f, c) => `${c} General Hospital`,
  (f) => `St. ${f.person.firstName()}'s Hospital`,
  (f) => `${f.person.lastName()} Memorial Hospital`,
  (f, c) => `${c} Medical Center`,
  (f, c) => `${c} Regional Medical Center`,
  (f) => `${f.person.lastName()} Clinic`,
  (f, c) => `${c} Family Practice`,
  (f, c) => `${c} Children's Hospital`,
  (f, c) => `${c} Urgent Care`,
  (f) => `${f.person.lastName()} Nursing Home`,
  (f, c) => `${c} Hospice`,
  (f, c) => `University of ${c} Hospital`,
  (f, c) => `${c} Cancer Center`,
  (f, c) => `${c} Rehabilitation Center`,
  (f) => `${f.person.lastName()} Eye Institute`,
  (f, c) => `${c} Community Health Center`,
  (f, c) => `Royal ${c} Infirmary`,
];
const INSURERS = ['Blue Cross Blue Shield', 'Aetna', 'Cigna', 'Humana', 'UnitedHealthcare', 'Kaiser Permanente', 'Anthem', 'Allianz', 'AXA', 'Bupa', 'Molina Healthcare', 'Centene'];
const PHARMACIES = ['CVS Pharmacy', 'Walgreens', 'Rite Aid', 'Boots', 'Walmart Pharmacy', 'Lloyds Pharmacy'];
const AGENCIES = [
  'Securities and Exchange Commission', 'Federal Trade Commission', 'Department of Justice', 'Internal Revenue Service',
  'Environmental Protection Agency', 'Food and Drug Administration', 'Financial Conduct Authority', 'European Commission',
  'Competition and Markets Authority', 'Office of the Attorney General', 'Equal Employment Opportunity Commission',
  'Department of Veterans Affairs', 'Social Security Administration', "Information Commissioner's Office", 'Home Office',
  'Crown Prosecution Service', 'Federal Bureau of Investigation', 'Drug Enforcement Administration',
];
const COMPLAINTS = ['chest pain', 'shortness of breath', 'abdominal pain', 'fever and cough', 'a fall at home', 'syncope', 'headache', 'low back pain', 'confusion'];
const SPECIALTIES = ['Cardiologist', 'Cardiology', 'Neurology', 'General Surgery', 'Internal Medicine', 'Oncology', 'Orthopaedics', 'Rheumatology', 'Psychiatry'];
const CLINICAL_LINES = [
  'HISTORY OF PRESENT ILLNESS: Chest pain for 2 days.',
  'ASSESSMENT AND PLAN: Continue Lisinopril 10 mg daily.',
  'Allergies: Penicillin (rash).',
  'Medications: Metformin, Atorvastatin, Aspirin 81 mg.',
  'Impression: Community-acquired pneumonia. Start Ceftriaxone.',
  'Follow-up in 2 weeks with PCP.',
  'CT Head: No acute intracranial abnormality.',
  'Labs: Na 138, K 4.1, Cr 0.9.',
];
const LEGAL_CLINICAL_NEGATIVES = [
  'The Court finds that the Plaintiff has standing to sue.',
  "Defendant's Motion to Dismiss is GRANTED in part and DENIED in part.",
  'Pursuant to Section 12(b)(6) of the Rules, the Complaint fails to state a claim.',
  'The Applicant complained under Article 6 of the Convention.',
  'IT IS SO ORDERED.',
  'WHEREAS the Parties wish to settle the Dispute, NOW THEREFORE the Parties agree as follows:',
  'See Exhibit A, attached hereto.',
  'The Government submitted that the complaint was manifestly ill-founded.',
  'HISTORY OF PRESENT ILLNESS: The patient reports intermittent chest pain.',
  'Continue Lisinopril 10 mg daily and Metformin 500 mg BID.',
  'Physical Exam: Alert and oriented x3. Lungs clear to auscultation.',
  'ASSESSMENT: Type 2 Diabetes Mellitus, uncontrolled. PLAN: Increase Insulin Glargine.',
  'Chest X-Ray: No acute cardiopulmonary process.',
  'Discharge Condition: Stable. Diet: Cardiac.',
  'The Tribunal dismissed the claim for unfair dismissal.',
  'Respondent shall pay costs within 14 days.',
];

const TECH_NAMES = ['React', 'React Native', 'Docker', 'Docker Compose', 'Kubernetes', 'PostgreSQL', 'MySQL', 'MongoDB', 'Redis', 'AWS', 'Azure', 'Terraform', 'Python', 'TypeScript', 'Node', 'Django', 'Flask', 'Spring Boot', 'Kafka', 'Elasticsearch', 'Jenkins', 'GitHub Actions', 'Next.js', 'Vue', 'Angular', 'Pandas', 'PyTorch', 'TensorFlow', 'Excel', 'Power BI', 'Tableau', 'Jira', 'Slack', 'Linux', 'Ubuntu', 'Windows Server', 'Nginx', 'GraphQL', 'Rust', 'Go'];

const BRAND_PARTS = ['data', 'cloud', 'ly', 'ify', 'io', 'soft', 'tech', 'works', 'hub', 'labs', 'wise', 'loop', 'path', 'myne', 'stack', 'base', 'sense', 'logic', 'vault', 'grid'];

/** An invented single-word brand such as "Datamyne" or "Parcelwise". */
function brandName(f, rng) {
  const head = f.word.noun().replace(/[^a-z]/gi, '');
  const tail = pick(rng, BRAND_PARTS);
  const name = `${head}${tail}`;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export function generateSynthetic(count, seed = 7) {
  const rng = mulberry32(seed);
  const out = [];
  for (let n = 0; n < count; n++) {
    const f = allFakers[pick(rng, LOCALES)];
    f.seed(Math.floor(rng() * 1e9));
    const first = () => f.person.firstName();
    const last = () => f.person.lastName();
    const city = () => f.location.city();
    const country = () => f.location.country();
    const company = () => f.company.name();
    const org = () => pick(rng, HOSPITAL_PATTERNS)(f, city());
    const anyOrg = () => (rng() < 0.5 ? company() : pick(rng, HOSPITAL_PATTERNS)(f, city()));
    const state = () => tryOr(() => f.location.state(), 'Ohio');
    /** A person's name in one of the forms documents use, with the surname for later mentions. */
    const person = () => {
      const firstName = first();
      const l = last();
      const u = rng();
      if (u < 0.7) return { full: `${firstName} ${l}`, last: l, firstName };
      if (u < 0.8) return { full: `${firstName} ${first().charAt(0)}. ${l}`, last: l, firstName };
      if (u < 0.88) {
        const double = `${l}-${last()}`;
        return { full: `${firstName} ${double}`, last: double, firstName };
      }
      if (u < 0.94) return { full: `${firstName}-${first()} ${l}`, last: l, firstName };
      return { full: `${firstName} ${first()} ${l}`, last: l, firstName };
    };
    const hospital = () => pick(rng, CARE_PATTERNS)(f, city(), rng);
    const insurer = () => (rng() < 0.4 ? pick(rng, INSURERS) : pick(rng, [`${last()} Mutual`, `${city()} Health Plan`, `${brandName(f, rng)} Health`, `${company()} Insurance`, `Blue Cross Blue Shield of ${state()}`]));
    const pharmacy = () => (rng() < 0.3 ? pick(rng, PHARMACIES) : pick(rng, [`${last()} Pharmacy`, `${city()} Drug`, `${brandName(f, rng)} Pharmacy`, `${city()} Apothecary`]));
    const court = () => pick(rng, [
      () => `United States District Court for the ${pick(rng, ['Northern ', 'Southern ', 'Eastern ', 'Western ', ''])}District of ${state()}`,
      () => `Superior Court of ${state()}`,
      () => `${city()} County Circuit Court`,
      () => `Supreme Court of ${state()}`,
      () => `${city()} Magistrates' Court`,
      () => `Court of Appeals for the ${pick(rng, ['First', 'Second', 'Fifth', 'Ninth', 'Eleventh'])} Circuit`,
      () => `${city()} District Court`,
      () => `Regional Court of ${city()}`,
      () => pick(rng, ['European Court of Human Rights', 'High Court of Justice', 'Court of Appeal', 'Employment Tribunal', 'Court of Justice of the European Union', 'Federal Court of Australia']),
    ])();
    const lawFirm = () => pick(rng, [
      () => `${last()} & ${last()} LLP`,
      () => `${last()}, ${last()} & ${last()}`,
      () => `${last()} Law Group`,
      () => `Law Offices of ${first()} ${last()}`,
      () => `${last()} ${last()} PLLC`,
      () => `${last()} Solicitors`,
      () => `${last()} & Partners`,
      () => `${last()} Legal, P.C.`,
    ])();
    const agency = () => (rng() < 0.5 ? pick(rng, AGENCIES) : pick(rng, [
      () => `${state()} Department of ${pick(rng, ['Health', 'Revenue', 'Labor', 'Corrections', 'Transportation'])}`,
      () => `${city()} Police Department`,
      () => `${city()} County Sheriff's Office`,
      () => `Ministry of ${pick(rng, ['Finance', 'Justice', 'Health', 'the Interior'])} of ${country()}`,
      () => `${city()} City Council`,
    ])());
    /** Organisations of many shapes: with "of" and "&", suffixes, or a bare brand. */
    const orgName = () => pick(rng, [
      () => `Bank of ${city()}`,
      () => `${city()} Savings Bank`,
      () => `${last()} & ${last()}`,
      () => `${brandName(f, rng)} Group`,
      () => `${last()} Holdings`,
      () => `${city()} Chamber of Commerce`,
      () => `National Association of ${pick(rng, ['Realtors', 'Home Builders', 'Social Workers', 'Manufacturers'])}`,
      () => `${last()} Brothers`,
      () => `${city()} ${pick(rng, ['Times', 'Herald', 'Gazette', 'Post'])}`,
      () => `${brandName(f, rng)}`,
      () => `${company()}`,
      () => `${last()} ${pick(rng, ['Inc.', 'Corp.', 'Ltd', 'AG', 'S.A.', 'GmbH', 'plc'])}`,
      () => `Institute of ${pick(rng, ['Medicine', 'Physics', 'Chartered Accountants', 'Directors'])}`,
      () => `${city()} ${pick(rng, ['FC', 'United', 'Rovers'])}`,
    ])();
    const caseOf = (s, mode) => (mode === 1 ? s.toLowerCase() : mode === 2 ? s.toUpperCase() : s);
    const mode = rng() < 0.12 ? 1 : rng() < 0.08 ? 2 : 0;
    const b = new Builder();
    const kind = Math.floor(rng() * KINDS);
    switch (kind) {
      case 0: {
        b.lit(`${pick(rng, GREET)} `).ent(caseOf(first(), mode), 'PERSON').lit(',\n\n');
        b.lit(pick(rng, ['Thanks for the update on the contract.', 'Can we move our call to Thursday?', 'Please find the draft attached.', 'I spoke with ']));
        if (b.text.endsWith('with ')) b.ent(`${first()} ${last()}`, 'PERSON').lit(' yesterday.');
        b.lit(`\n\n${pick(rng, SIGN)},\n`).ent(caseOf(rng() < 0.5 ? first() : `${first()} ${last()}`, mode), 'PERSON');
        if (rng() < 0.5) b.lit(`\n${f.person.jobTitle()}\n`).ent(company(), 'ORG');
        break;
      }
      case 1: {
        b.lit(`${pick(rng, ['Dear', 'Attn:', 'To'])} ${pick(rng, TITLES)} `).ent(last(), 'PERSON').lit(',\n');
        b.lit('Your appointment at ').ent(org(), 'ORG').lit(' is confirmed.');
        break;
      }
      case 2: {
        const names = [];
        const k = 2 + Math.floor(rng() * 3);
        b.lit(pick(rng, ['Attendees: ', 'CC: ', 'Present were ', 'The team includes ', 'Invited: ']));
        for (let i = 0; i < k; i++) {
          if (i > 0) b.lit(i === k - 1 && rng() < 0.5 ? ' and ' : ', ');
          const name = rng() < 0.6 ? `${first()} ${last()}` : first();
          names.push(name);
          b.ent(caseOf(name, mode), 'PERSON');
        }
        b.lit('.');
        break;
      }
      case 3: {
        b.ent(caseOf(first(), mode), 'PERSON').lit(pick(rng, ["'s laptop was stolen from the office in ", "'s sister moved to ", "’s flight lands in "]));
        b.ent(city(), 'LOCATION').lit('.');
        break;
      }
      case 4: {
        const age = 18 + Math.floor(rng() * 70);
        b.ent(caseOf(`${first()} ${last()}`, mode), 'PERSON').lit(`, a ${age}-year-old ${pick(rng, ['male', 'female', 'man', 'woman'])}, was admitted to `);
        b.ent(org(), 'ORG').lit(` on ${f.date.recent().toISOString().slice(0, 10)}. Seen by ${pick(rng, ['Dr.', 'Dr', 'Nurse'])} `).ent(last(), 'PERSON').lit('.');
        break;
      }
      case 5: {
        b.lit(pick(rng, ['PATIENT: ', 'Patient: ', 'Name: ', 'NAME: ', 'Pt: ']));
        b.ent(caseOf(`${last()}, ${first()}`, rng() < 0.4 ? 2 : mode), 'PERSON');
        b.lit(`\nDOB: ${f.date.birthdate().toISOString().slice(0, 10)}\nAddress: `);
        b.ent(`${f.location.streetAddress()}, ${city()}`, 'LOCATION');
        b.lit('\nReferring physician: ').ent(`${pick(rng, ['Dr.', 'Dr'])} ${first()} ${last()}`.replace(/^Dr\.? /, ''), 'PERSON');
        break;
      }
      case 6: {
        b.lit('The applicant, ').ent(`${first()} ${last()}`, 'PERSON');
        b.lit(`, was born in ${1940 + Math.floor(rng() * 60)} and lives in `).ent(city(), 'LOCATION').lit('. ');
        b.lit('He was represented by ').ent(`${pick(rng, ['Mr ', 'Ms ', ''])}${first()} ${last()}`.replace(/^(Mr|Ms) /, ''), 'PERSON');
        b.lit(', a lawyer practising in ').ent(city(), 'LOCATION').lit('.');
        break;
      }
      case 7: {
        b.lit(pick(rng, ['Ship to: ', 'Address: ', 'I live at ', 'Send it to ', 'Mailing address:\n']));
        const addr = rng() < 0.5 ? `${f.location.streetAddress(rng() < 0.4)}\n${city()}, ${tryOr(() => f.location.state({ abbreviated: true }), 'CA')} ${tryOr(() => f.location.zipCode(), '10115')}` : `${f.location.buildingNumber()} ${f.location.street()}, ${city()}`;
        b.ent(caseOf(addr, mode === 2 ? 2 : 0), 'LOCATION');
        break;
      }
      case 8: {
        b.lit(pick(rng, ['I work for ', 'She joined ', 'Contract signed with ', 'Our supplier is ', 'He was hired by ']));
        b.ent(anyOrg(), 'ORG').lit(pick(rng, [' in ', ', based in ', ' near ']));
        b.ent(rng() < 0.5 ? city() : country(), 'LOCATION').lit('.');
        break;
      }
      case 9: {
        b.lit(pick(rng, ['my name is ', 'this is ', 'i am ', 'ask for ', 'tell ']));
        b.ent(`${first()} ${rng() < 0.5 ? last() : ''}`.trim().toLowerCase(), 'PERSON');
        b.lit(pick(rng, [' and i need help with my order', ', call me back', ' from ', ' to call me']));
        if (b.text.endsWith('from ')) b.ent(city().toLowerCase(), 'LOCATION');
        break;
      }
      case 10: {
        b.lit(pick(rng, NEGATIVES));
        if (rng() < 0.5) b.lit(' ').lit(pick(rng, NEGATIVES));
        break;
      }
      case 11: {
        b.lit(`${pick(rng, TITLES)} `).ent(caseOf(`${first()} ${last()}`, mode), 'PERSON');
        b.lit(pick(rng, [' will present the results.', ' signed the letter.', ' has been notified.', ' approved the request.']));
        break;
      }
      case 12: {
        b.lit(`${pick(rng, ['From', 'To', 'Cc'])}: `).ent(`${first()} ${last()}`, 'PERSON');
        b.lit(` <${f.internet.email().toLowerCase()}>\nSubject: ${pick(rng, ['Re: budget', 'Meeting notes', 'Fwd: invoice', 'Quick question'])}\n\n`);
        b.lit(pick(rng, ['Please loop in ', 'Forwarding to ', 'Adding '])).ent(first(), 'PERSON').lit('.');
        break;
      }
      case 13: {
        b.ent(`${last()} & ${last()} ${pick(rng, ['LLP', 'LLC', 'Ltd', 'GmbH', 'Inc.'])}`, 'ORG');
        b.lit(' represents ').ent(company(), 'ORG').lit(' in the dispute with ').ent(`${first()} ${last()}`, 'PERSON').lit('.');
        break;
      }
      case 14: {
        b.lit(pick(rng, ['Born in ', 'Moved from ', 'Flying to ', 'Visiting '])).ent(city(), 'LOCATION');
        b.lit(', ').ent(country(), 'LOCATION').lit(pick(rng, [' last year.', ' next week.', '.']));
        break;
      }
      case 16:
      case 17: {
        // Transcripts and chats: "Name: utterance" lines.
        const a = caseOf(first(), mode);
        const c = caseOf(rng() < 0.5 ? first() : `${first()} ${last()}`, mode);
        b.ent(a, 'PERSON').lit(pick(rng, [': ', ':', ' - ', ' > '])).lit(pick(rng, ['"Who is calling?"', 'can you send the file?', 'Are we still on for lunch?', 'ok', 'I disagree.']));
        b.lit('\n').ent(c, 'PERSON').lit(': ').lit(pick(rng, ['"Sure."', 'It was sent yesterday.', 'yes, at noon', 'Why?']));
        break;
      }
      case 18:
      case 19: {
        // Organisations known only from context: invented brand names in many frames.
        const brand = rng() < 0.5 ? company() : brandName(f, rng);
        const shown = caseOf(brand, rng() < 0.2 ? 1 : 0);
        const frames = [
          ['The ', ' office is at '],
          ['I have worked at ', ' for three years and my manager is '],
          ['', ' announced a new product on Tuesday, said '],
          ['Shares of ', ' fell 4% after CEO '],
          ['She left ', ' to join a startup with '],
          ['We signed an NDA with ', ' yesterday; contact person: '],
          ['', ' is a multinational company; its founder is '],
          ['Recorded for ', ' by '],
          ['My claim with ', ' was denied by '],
        ];
        const [pre, mid] = pick(rng, frames);
        b.lit(pre).ent(shown, 'ORG').lit(mid);
        if (mid.endsWith('at ')) b.ent(`${f.location.buildingNumber()} ${f.location.street()}`, 'LOCATION');
        else b.ent(`${first()} ${last()}`, 'PERSON');
        b.lit('.');
        break;
      }
      case 21: {
        // Clinical note phrasing.
        const age = 20 + Math.floor(rng() * 70);
        b.lit(pick(rng, ['Pt is a ', 'Patient is a ', 'This is a '])).lit(`${age} yo ${pick(rng, ['F', 'M', 'female', 'male'])} with hx of ${pick(rng, ['HTN', 'DM2', 'CHF', 'COPD'])}, followed by `);
        b.ent(`${pick(rng, ['Dr. ', 'Dr ', ''])}${last()}`.replace(/^Dr\.? /, ''), 'PERSON').lit(' at ').ent(org(), 'ORG').lit('. ');
        b.lit(pick(rng, ['Daughter ', 'Wife ', 'Husband ', 'Son '])).lit('(').ent(caseOf(first(), mode), 'PERSON').lit(') at bedside. ');
        b.lit('Transferred from ').ent(org(), 'ORG').lit(' in ').ent(city(), 'LOCATION').lit('. Seen by ').ent(`${first()} ${last()}`, 'PERSON').lit(pick(rng, [', NP.', ', MD.', ', RN.', '.']));
        break;
      }
      case 22: {
        // Court judgment phrasing.
        b.lit(`The case originated in an application (no. ${10000 + Math.floor(rng() * 89999)}/0${Math.floor(rng() * 9)}) against `).ent(country(), 'LOCATION');
        b.lit(' lodged with the Court by ').ent(`${pick(rng, ['Mr ', 'Ms ', 'Mrs '])}${first()} ${last()}`.replace(/^(Mr|Ms|Mrs) /, ''), 'PERSON');
        b.lit('. The Government were represented by their Agent, ').ent(`${first().charAt(0)}. ${last()}`, 'PERSON');
        b.lit(', of the ').ent(`Ministry of ${pick(rng, ['Justice', 'Foreign Affairs', 'the Interior'])}`, 'ORG').lit('.');
        break;
      }
      case 24: {
        // Prompts about software: product and tool names are not entities.
        const t1 = pick(rng, TECH_NAMES);
        const t2 = pick(rng, TECH_NAMES);
        const frame = pick(rng, [
          `- Fixed the Login bug in ${t1}\n- Updated ${t2} and ${pick(rng, TECH_NAMES)} configs\n- Migrated from ${t1} to ${t2}`,
          `How do I connect ${t1} to ${t2}? I get "Connection Refused" on Port 5432.`,
          `## Setup\n\nInstall ${t1}, then run the ${t2} Migration Script.`,
          `Why does ${t1} throw a TypeError when I call getUser() from ${t2}?`,
          `Compare ${t1} vs ${t2} for a Data Pipeline.`,
        ]);
        b.lit(mode === 1 ? frame.toLowerCase() : frame);
        break;
      }
      case 25: {
        // Structured data: JSON and key-value records.
        b.lit('{"id": ').lit(String(Math.floor(rng() * 99999))).lit(', "name": "').ent(`${first()} ${last()}`, 'PERSON');
        b.lit('", "firstName": "').ent(first(), 'PERSON').lit('", "lastName": "').ent(last(), 'PERSON');
        b.lit('", "city": "').ent(city(), 'LOCATION').lit('", "employer": "').ent(company(), 'ORG').lit('", "status": "Active", "Type": "Premium"}');
        break;
      }
      case 26: {
        b.lit('name: ').ent(`${first()} ${last()}`, 'PERSON').lit('\ncompany: ').ent(company(), 'ORG');
        b.lit('\ncity: ').ent(city(), 'LOCATION').lit(`\nrole: ${f.person.jobTitle()}\nactive: true`);
        break;
      }
      case 27:
      case 28: {
        // Clinical narrative: a full name first, then the surname alone, as notes refer back.
        const p = person();
        const dr = person();
        const he = rng() < 0.5;
        b.lit(`${pick(rng, he ? ['Mr.', 'Mr'] : ['Mrs.', 'Ms.', 'Ms'])} `).ent(p.full, 'PERSON');
        b.lit(` is a ${20 + Math.floor(rng() * 75)}-year-old ${he ? 'man' : 'woman'} who presented to the `).ent(hospital(), 'ORG');
        b.lit(pick(rng, [' emergency department with ', ' clinic with ', ' with ']) + pick(rng, COMPLAINTS) + '. ');
        b.ent(p.last, 'PERSON').lit(pick(rng, [' reports ', ' states ', ' denies ', ' was started on ']) + pick(rng, ['worsening symptoms over two weeks.', 'no recent travel.', 'Metformin 500 mg PO BID.', 'chest pain at rest.']));
        b.lit(` ${he ? 'He' : 'She'} lives with ${pick(rng, ['his wife', 'her husband', 'a daughter', 'a son', 'a partner'])}, `).ent(first(), 'PERSON').lit(', in ').ent(city(), 'LOCATION').lit('. ');
        b.lit(pick(rng, ['Discussed with ', 'Seen and examined with ', 'Case reviewed with '])).lit(pick(rng, ['Dr. ', 'Dr ', 'attending Dr. '])).ent(dr.last, 'PERSON').lit('. ');
        b.lit(pick(rng, ['Plan: ', 'Disposition: '])).lit(pick(rng, ['follow up with ', 'discharge home; PCP is ', 'refer to '])).ent(dr.full, 'PERSON');
        b.lit(pick(rng, [', MD', ', M.D.', ', NP', ', DO', ''])).lit(' at ').ent(hospital(), 'ORG').lit('.');
        break;
      }
      case 29: {
        // Clinical record header: field labels, names as LAST, FIRST and in capitals, facility, payer, pharmacy.
        const caps = rng() < 0.5;
        const up = (s) => (caps ? s.toUpperCase() : s);
        const p = person();
        b.lit(pick(rng, ['DISCHARGE SUMMARY\n', 'ADMISSION NOTE\n', 'PROGRESS NOTE\n', 'Consultation Note\n', '']));
        b.lit(pick(rng, ['Patient Name: ', 'PATIENT: ', 'Patient: ', 'Name: '])).ent(up(rng() < 0.6 ? `${p.last}, ${p.firstName}` : p.full), 'PERSON');
        b.lit(`\nMRN: ${Math.floor(rng() * 9e6 + 1e6)}\n${pick(rng, ['Admission Date', 'Date of Service', 'DOS'])}: ${f.date.recent().toISOString().slice(0, 10)}\n`);
        b.lit(pick(rng, ['Attending: ', 'Attending Physician: ', 'ATTENDING: ', 'Provider: '])).ent(up(`${first()} ${last()}`), 'PERSON').lit(pick(rng, [', MD', ', M.D.', ' MD', ', DO', '']));
        b.lit(`\n${pick(rng, ['Facility', 'Hospital', 'Location', 'Site'])}: `).ent(up(hospital()), 'ORG');
        if (rng() < 0.5) b.lit(pick(rng, ['\nUnit: ', '\nWard: '])).lit(pick(rng, ['4B', 'ICU', 'Med-Surg 3', 'CCU', '7 West']));
        if (rng() < 0.6) b.lit(pick(rng, ['\nInsurance: ', '\nPayer: ', '\nPrimary insurance: '])).ent(up(insurer()), 'ORG');
        if (rng() < 0.6) {
          b.lit(pick(rng, ['\nPreferred pharmacy: ', '\nPharmacy: '])).ent(up(pharmacy()), 'ORG');
          if (rng() < 0.5) b.lit(', ').ent(up(`${f.location.streetAddress()}, ${city()}`), 'LOCATION');
        }
        if (rng() < 0.5) b.lit(pick(rng, ['\nEmergency contact: ', '\nNext of kin: '])).ent(up(`${first()} ${p.last}`), 'PERSON').lit(pick(rng, [' (daughter)', ' (spouse)', ' (son)', ' (mother)']));
        b.lit(`\n\n${pick(rng, CLINICAL_LINES)}`);
        break;
      }
      case 30: {
        // Nursing and telephone notes: first names of relatives, staff with credentials.
        b.lit(`${String(Math.floor(rng() * 24)).padStart(2, '0')}00: ${pick(rng, ['Pt resting comfortably.', 'Pt ambulating in hallway.', 'Pain 4/10.', 'VS stable.'])} `);
        b.lit(pick(rng, ['Spoke with ', 'Called ', 'Updated '])).lit(pick(rng, ['daughter ', 'son ', 'wife ', 'husband ', 'sister ', ''])).ent(caseOf(first(), mode), 'PERSON');
        b.lit(pick(rng, [' by phone.', ' at bedside.', ' re: discharge plan.'])).lit(' ');
        b.ent(`${first()} ${last()}`, 'PERSON').lit(pick(rng, [', RN', ' RN', ', LPN', ', CNA'])).lit(pick(rng, [' notified Dr. ', ' paged Dr. ', ' informed Dr. ']));
        b.ent(last(), 'PERSON').lit(pick(rng, [' of BP 90/60.', ' of elevated glucose.', '; orders received.']));
        if (rng() < 0.5) b.lit(' Transport to ').ent(hospital(), 'ORG').lit(' arranged with ').ent(`${city()} ${pick(rng, ['Ambulance', 'EMS', 'Medical Transport'])}`, 'ORG').lit('.');
        break;
      }
      case 31: {
        // Referral and clinic letters.
        const p = person();
        const dr = person();
        b.lit(`Dear ${pick(rng, ['Dr ', 'Dr. ', 'Doctor '])}`).ent(last(), 'PERSON').lit(',\n\n');
        b.lit(pick(rng, ['Thank you for referring ', 'I saw your patient ', 'Re: '])).ent(p.full, 'PERSON');
        b.lit(`, ${pick(rng, ['DOB ', 'born '])}${f.date.birthdate().toISOString().slice(0, 10)}, ${pick(rng, ['in our clinic today.', 'for review of ', 'to the '])}`);
        if (b.text.endsWith('review of ')) b.lit(pick(rng, COMPLAINTS) + '.');
        else if (b.text.endsWith('to the ')) b.ent(hospital(), 'ORG').lit('.');
        b.lit(` ${pick(rng, ['Mr', 'Mrs', 'Ms', 'Mr.', 'Ms.'])} `).ent(p.last, 'PERSON').lit(pick(rng, [' tells me that ', ' reports that ', ' explained that '])).lit(pick(rng, ['the pain started in ', 'he moved here from ', 'she was previously treated in ']));
        b.ent(rng() < 0.5 ? city() : pick(rng, WORLD), 'LOCATION').lit('.\n\n');
        b.lit(`${pick(rng, SIGN)},\n\n`).ent(caseOf(dr.full, rng() < 0.2 ? 2 : 0), 'PERSON').lit(pick(rng, [', MD', ' MBBS MRCP', ', FRCS', ''])).lit(`\n${pick(rng, ['Consultant ', 'Attending ', ''])}${pick(rng, SPECIALTIES)}\n`);
        b.ent(hospital(), 'ORG');
        if (rng() < 0.5) b.lit('\n').ent(`${f.location.streetAddress()}, ${city()}`, 'LOCATION');
        break;
      }
      case 32:
      case 33: {
        // Court captions, often in capitals: court, parties with roles, counsel and firm.
        const caps = rng() < 0.6;
        const up = (s) => (caps ? s.toUpperCase() : s);
        const plaintiff = rng() < 0.6 ? [person().full, 'PERSON'] : [rng() < 0.5 ? company() : orgName(), 'ORG'];
        const defendant = rng() < 0.5 ? [rng() < 0.5 ? company() : orgName(), 'ORG'] : [person().full, 'PERSON'];
        b.lit(rng() < 0.5 ? (caps ? 'IN THE ' : 'In the ') : '').ent(up(court()), 'ORG').lit('\n\n');
        b.ent(up(plaintiff[0]), plaintiff[1]);
        b.lit(`,\n${pick(rng, ['Plaintiff', 'Petitioner', 'Appellant', 'Claimant'])},\n\n${pick(rng, ['v.', 'vs.', 'V.', 'against'])}\n\n`);
        b.ent(up(defendant[0]), defendant[1]).lit(`,\n${pick(rng, ['Defendant', 'Respondent', 'Appellee'])}.\n\n`);
        b.lit(`${pick(rng, ['Case No. ', 'Civil Action No. ', 'Index No. '])}${Math.floor(rng() * 90 + 10)}-cv-${Math.floor(rng() * 9000 + 1000)}\n\n`);
        b.lit(pick(rng, ['MEMORANDUM OPINION AND ORDER\n\n', 'COMPLAINT FOR DAMAGES\n\n', 'ORDER GRANTING MOTION TO DISMISS\n\n', '']));
        b.ent(`${first()} ${last()}`, 'PERSON').lit(pick(rng, [', Esq.', ', Esq', '', ' (Bar No. 123456)'])).lit(', ').ent(lawFirm(), 'ORG').lit(pick(rng, [', for Plaintiff.', ', counsel for the defendant.', ', attorneys for Petitioner.']));
        break;
      }
      case 34:
      case 35: {
        // Legal narrative: "Smith v. Jones", judges, witnesses, surnames after the first mention.
        const p = person();
        const w = person();
        const co = company();
        const frames = [
          () => {
            b.lit(pick(rng, ['In ', 'See ', 'As held in ', 'Following '])).ent(last(), 'PERSON').lit(pick(rng, [' v. ', ' v ', ' vs. '])).ent(co, 'ORG');
            b.lit(`, ${Math.floor(rng() * 900 + 100)} F.3d ${Math.floor(rng() * 1500)} (${pick(rng, ['2d', '9th', '5th', '11th'])} Cir. ${1990 + Math.floor(rng() * 34)}), the court `).lit(pick(rng, ['held that the claim was time-barred.', 'rejected a similar argument.', 'found no duty of care.']));
          },
          () => {
            b.ent(p.full, 'PERSON').lit(pick(rng, [' (“', ' ("'])).ent(p.last, 'PERSON').lit(pick(rng, ['”)', '")'])).lit(', a former ').lit(pick(rng, ['employee', 'director', 'contractor'])).lit(' of ').ent(co, 'ORG');
            b.lit(', filed suit in ').ent(court(), 'ORG').lit('. ').ent(p.last, 'PERSON').lit(pick(rng, [' alleges that ', ' claims that ', ' contends that '])).ent(co.split(/[ ,]/)[0], 'ORG').lit(' terminated the contract without notice.');
          },
          () => {
            b.lit(pick(rng, ['The witness, ', 'A neighbour, ', 'Her supervisor, ', 'Detective '])).ent(w.full, 'PERSON').lit(pick(rng, [', testified that ', ', stated that ', ' told the court that ']));
            b.lit(pick(rng, ['she saw ', 'he met ', 'they called '])).ent(p.full, 'PERSON').lit(' at ').ent(`${f.location.buildingNumber()} ${f.location.street()}`, 'LOCATION').lit(' in ').ent(city(), 'LOCATION');
            b.lit(`. On cross-examination, `).ent(w.last, 'PERSON').lit(pick(rng, [' conceded that the lighting was poor.', ' could not recall the date.', ' confirmed the account.']));
          },
          () => {
            b.lit(pick(rng, ['Before: ', 'BEFORE: ', 'Coram: '])).lit(pick(rng, ['Judge ', 'Justice ', 'Lord Justice ', 'Hon. ', 'The Honorable '])).ent(`${first()} ${last()}`, 'PERSON').lit('\n');
            b.lit(pick(rng, ['Counsel for the applicant: ', 'For the Claimant: ', 'Appearances: '])).ent(`${first()} ${last()}`, 'PERSON').lit(pick(rng, [' (instructed by ', ' of ', ', '])).ent(lawFirm(), 'ORG').lit(pick(rng, [')', '', '.']));
            b.lit('\n').lit(pick(rng, ['The applicant, ', 'The respondent, '])).ent(p.full, 'PERSON').lit(', lives in ').ent(city(), 'LOCATION').lit('. ').ent(p.last, 'PERSON').lit(' appealed to the ').ent(court(), 'ORG').lit('.');
          },
          () => {
            b.lit(pick(rng, ['On ', 'By letter of '])).lit(`${pick(rng, ['3', '14', '21', '28'])} ${pick(rng, ['March', 'June', 'October'])} ${2000 + Math.floor(rng() * 24)} the `).ent(agency(), 'ORG');
            b.lit(pick(rng, [' informed ', ' fined ', ' opened an investigation into ', ' issued a subpoena to '])).ent(co, 'ORG').lit('. ');
            b.lit(pick(rng, ['Its chief executive, ', 'The company’s general counsel, ', 'Its president, '])).ent(p.full, 'PERSON').lit(', ').lit(pick(rng, ['denied wrongdoing.', 'declined to comment.', 'said the firm would appeal.']));
          },
        ];
        pick(rng, frames)();
        break;
      }
      case 36:
      case 37: {
        // Business prose: organisations without a suffix, people by full name then surname.
        const p = person();
        const brand = rng() < 0.5 ? brandName(f, rng) : orgName();
        const short = brand.split(' ')[0];
        b.ent(brand, 'ORG').lit(pick(rng, [' said on ', ' announced on ', ' confirmed on '])).lit(pick(rng, ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'])).lit(pick(rng, [' that it would ', ' it plans to '])).lit(pick(rng, ['cut 300 jobs', 'open a plant in ', 'buy a stake in ', 'close its office in ']));
        if (b.text.endsWith('in ')) b.ent(rng() < 0.5 ? city() : pick(rng, WORLD), 'LOCATION');
        else if (b.text.endsWith('stake in ')) b.ent(orgName(), 'ORG');
        b.lit('. ').ent(p.full, 'PERSON').lit(pick(rng, [`, ${30 + Math.floor(rng() * 40)}, `, ', '])).lit(pick(rng, ['chief executive of ', 'a spokesman for ', 'an analyst at ', 'who chairs '])).ent(rng() < 0.5 ? short : orgName(), 'ORG');
        b.lit(pick(rng, [', said ', ', told reporters ', ', added '])).lit(pick(rng, ['the deal was good news.', 'demand had slowed.', 'talks would continue.'])).lit(' ');
        b.ent(p.last, 'PERSON').lit(pick(rng, [' said ', ' declined to say whether ', ' added that '])).ent(short, 'ORG').lit(pick(rng, [' would appeal.', ' had enough cash.', "'s shares would recover."]));
        break;
      }
      case 38: {
        // Names with initials and hyphens, in reference lists and minutes.
        const names = [];
        const k = 2 + Math.floor(rng() * 3);
        b.lit(pick(rng, ['Authors: ', 'Present: ', 'Signed by ', 'Prepared by ', 'Reviewed by: ', 'Panel: ']));
        for (let i = 0; i < k; i++) {
          if (i > 0) b.lit(i === k - 1 && rng() < 0.5 ? ' and ' : pick(rng, [', ', '; ']));
          const form = rng();
          const l = last();
          const name = form < 0.3 ? `${first().charAt(0)}. ${l}` : form < 0.5 ? `${first().charAt(0)}. ${first().charAt(0)}. ${l}` : form < 0.65 ? `${l}, ${first().charAt(0)}.` : form < 0.8 ? `${first()} ${l}-${last()}` : `${first()} ${first().charAt(0)}. ${l}`;
          names.push(name);
          b.ent(caseOf(name, rng() < 0.15 ? 2 : 0), 'PERSON');
        }
        b.lit(pick(rng, [' (', ', '])).ent(orgName(), 'ORG').lit(pick(rng, [')', '.']));
        break;
      }
      case 39: {
        // Capitalised place lines: letter headings, datelines, addresses in capitals.
        const place = rng() < 0.5 ? city() : pick(rng, WORLD);
        const form = rng();
        if (form < 0.4) {
          b.ent(place.toUpperCase(), 'LOCATION').lit(pick(rng, [', ', ' ', ' — ']));
          if (rng() < 0.5) b.ent(country().toUpperCase(), 'LOCATION').lit(' ');
          b.lit(`${f.date.recent().toISOString().slice(0, 10)} - `).ent(orgName(), 'ORG').lit(pick(rng, [' reported a loss.', ' named a new chief.', ' denied the report.']));
        } else if (form < 0.7) {
          b.ent(place, 'LOCATION').lit(`, ${pick(rng, ['12', '3', '28'])} ${pick(rng, ['January', 'May', 'September'])} ${2010 + Math.floor(rng() * 15)}\n\n${pick(rng, GREET)} `).ent(first(), 'PERSON').lit(',');
        } else {
          b.lit(pick(rng, ['SHIP TO:\n', 'BILL TO:\n', 'RETURN ADDRESS:\n'])).ent(`${first()} ${last()}`.toUpperCase(), 'PERSON').lit('\n');
          b.ent(`${f.location.streetAddress()}\n${city()}, ${tryOr(() => f.location.state({ abbreviated: true }), 'NY')} ${tryOr(() => f.location.zipCode(), '10115')}`.toUpperCase(), 'LOCATION');
        }
        break;
      }
      case 40: {
        // Legal and clinical boilerplate: capitalised common words that are not entities.
        b.lit(pick(rng, LEGAL_CLINICAL_NEGATIVES));
        if (rng() < 0.6) b.lit(' ').lit(pick(rng, LEGAL_CLINICAL_NEGATIVES));
        break;
      }
      case 41:
      case 42: {
        // One-word organisations (brands, firms named after a family) in the frames that tell
        // them from people: "its", "according to", "acquired", reviews. Acronyms are left out:
        // taught here they made every short capitalised code an organisation.
        const org1 = rng() < 0.6 ? brandName(f, rng) : last();
        const org2 = rng() < 0.6 ? brandName(f, rng) : company();
        const frames = [
          () => b.ent(org1, 'ORG').lit(pick(rng, [' said its ', ' announced that its ', ' reported that its '])).lit(pick(rng, ['profits fell.', 'offices would close.', 'investigation was complete.', 'systems were restored.'])),
          () => b.lit(pick(rng, ['According to ', 'In a statement, ', 'Data from '])).ent(org1, 'ORG').lit(pick(rng, [', the figures were revised.', ', sales rose 4% last quarter.', ', no customer data was lost.'])),
          () => b.lit(pick(rng, ['A spokeswoman for ', 'A lawyer for ', 'The chairman of '])).ent(org1, 'ORG').lit(pick(rng, [' confirmed the merger with ', ' denied any dealings with '])).ent(org2, 'ORG').lit('.'),
          () => b.lit(pick(rng, ['They have acquired ', 'We switched from ', 'I used to work for ', 'Complaints were filed against '])).ent(org1, 'ORG').lit(pick(rng, [' and ', ', '])).ent(org2, 'ORG').lit(pick(rng, [' last year.', '.', ' in 2019.'])),
          () => b.lit(pick(rng, ['Never order from ', 'Great service from ', 'I would not recommend ', 'Five stars for '])).ent(caseOf(org1, rng() < 0.3 ? 1 : 0), 'ORG').lit(pick(rng, ['!', '. Their staff were rude.', ', they fixed it in a day.', ' - they lost my package.'])),
          () => b.ent(org1, 'ORG').lit(pick(rng, [' filed a complaint with ', ' was sued by ', ' has appealed against '])).ent(org2, 'ORG').lit('.'),
        ];
        pick(rng, frames)();
        break;
      }
      default: {
        b.lit(pick(rng, ['Thanks ', 'Thank you ', 'Congrats ', 'Welcome '])).ent(caseOf(first(), mode), 'PERSON');
        b.lit(pick(rng, ['!', ' :)', ', see you at ', '.']));
        if (b.text.endsWith('at ')) b.ent(anyOrg(), 'ORG');
        break;
      }
    }
    out.push({ id: `synth:${n}`, source: 'synthetic', text: b.text, spans: b.spans });
  }
  return out;
}

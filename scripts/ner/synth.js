// Synthetic training sentences for the NER model, written by us and filled with fake values
// from @faker-js/faker (MIT). They teach what the public corpora under-represent: greetings and
// e-mail signatures, titles, lists, possessives, lower-case and all-caps names, street
// addresses with numbers, clinical and legal phrasing, and negatives (code, units, dates) that
// must stay untagged. Offsets are UTF-16, spans carry PERSON / LOCATION / ORG.
import { allFakers } from '@faker-js/faker';

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
    const start = this.text.length;
    this.text += s;
    if (label) this.spans.push({ start, end: this.text.length, label });
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

function pick(rng, list) {
  return list[Math.floor(rng() * list.length)];
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
    const caseOf = (s, mode) => (mode === 1 ? s.toLowerCase() : mode === 2 ? s.toUpperCase() : s);
    const mode = rng() < 0.12 ? 1 : rng() < 0.08 ? 2 : 0;
    const b = new Builder();
    const kind = Math.floor(rng() * 27);
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

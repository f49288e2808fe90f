// Builds the NER gazetteers: first/last names, cities, countries and states from
// @faker-js/faker's locale data (MIT licence, https://github.com/faker-js/faker), plus short
// hand-written keyword lists of our own (titles, organisation and place words, calendar words,
// world capitals and large cities, credentials written after names).
// Returns a Map lower-case word -> GAZ bit mask, matching src/detect/ner/features.ts.
import { allLocales } from '@faker-js/faker';
import { GAZ } from '../../dist/detect/ner/features.js';

const LOCALES = [
  'en', 'en_US', 'en_GB', 'en_AU', 'en_CA', 'en_IE', 'en_IN', 'en_NG', 'en_ZA', 'en_GH', 'de', 'de_AT', 'de_CH',
  'fr', 'fr_BE', 'fr_CA', 'fr_CH', 'es', 'es_MX', 'it', 'pt_BR', 'pt_PT', 'nl', 'nl_BE', 'pl', 'sv', 'da', 'nb_NO',
  'fi', 'cs_CZ', 'sk', 'hr', 'sr_RS_latin', 'sl_SI', 'hu', 'ro', 'tr', 'lv', 'id_ID', 'vi', 'af_ZA', 'yo_NG', 'zu_ZA',
  'el', 'ru', 'uk', 'cy', 'eo', 'az', 'uz_UZ_latin', 'ku_kmr_latin',
];

/** Every string inside a (possibly nested) faker definition value. */
function strings(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) strings(item, out);
  return out;
}

const TITLES = [
  'mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'professor', 'sir', 'dame', 'lady', 'lord', 'madam', 'madame',
  'mme', 'mlle', 'herr', 'frau', 'señor', 'señora', 'sr', 'sra', 'rev', 'reverend', 'fr', 'father', 'sister',
  'brother', 'hon', 'judge', 'justice', 'capt', 'captain', 'col', 'gen', 'lt', 'sgt', 'officer', 'nurse',
  'pastor', 'rabbi', 'imam', 'president', 'senator', 'governor', 'mayor', 'minister', 'dott', 'ing', 'mag', 'jr',
  'sen', 'rep', 'gov', 'pres', 'doctor', 'uncle', 'aunt', 'st', 'saint',
];
const ORG_SUFFIXES = [
  'inc', 'incorporated', 'corp', 'corporation', 'co', 'company', 'ltd', 'limited', 'llc', 'llp', 'lp', 'plc', 'gmbh',
  'ag', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as', 'aps', 'kg', 'pty', 'pvt', 'group',
  'holdings', 'partners', 'associates', 'ventures', 'technologies', 'solutions', 'systems', 'services',
  'industries', 'enterprises', 'international', 'labs', 'bank', 'trust', 'capital', 'consulting', 'pharmaceuticals',
  'media', 'foods', 'motors', 'airlines', 'airways', 'energy', 'telecom', 'networks', 'software', 'studios',
];
const ORG_KEYWORDS = [
  'university', 'college', 'school', 'academy', 'institute', 'hospital', 'clinic', 'infirmary', 'medical',
  'health', 'healthcare', 'center', 'centre', 'department', 'dept', 'ministry', 'agency', 'bureau', 'office',
  'council', 'committee', 'commission', 'court', 'tribunal', 'police', 'army', 'navy', 'church', 'foundation',
  'association', 'society', 'union', 'federation', 'club', 'league', 'party', 'board', 'authority', 'government',
  'parliament', 'senate', 'congress', 'museum', 'library', 'press', 'news', 'times', 'post', 'journal', 'network',
  'fund', 'charity', 'trust', 'organization', 'organisation', 'corporation', 'nhs', 'fbi', 'cia', 'un', 'eu',
  'nasa', 'team', 'orchestra', 'hotel', 'restaurant', 'cafe', 'pharmacy', 'lab', 'laboratory', 'firm', 'store',
  // Clinical and legal organisations: care providers, payers, chambers, regulators.
  'hospice', 'insurance', 'assurance', 'mutual', 'dental', 'surgical', 'pediatrics', 'paediatrics', 'radiology',
  'oncology', 'cardiology', 'orthopaedics', 'orthopedics', 'rehabilitation', 'rehab', 'nursing', 'urgent', 'infirmary',
  'sanatorium', 'chambers', 'attorneys', 'solicitors', 'barristers', 'administration', 'directorate', 'inspectorate',
  'regulator', 'prosecutor', 'prosecution', 'registry', 'bancorp', 'bancshares', 'laboratories', 'pharma',
  'diagnostics', 'clinics', 'hospitals', 'healthcare', 'medicine', 'physicians', 'surgeons', 'pharmacies',
  // Bodies and groupings in general.
  'exchange', 'corps', 'stores', 'alliance', 'coalition', 'movement', 'assembly', 'secretariat', 'cooperative',
  'consortium', 'syndicate', 'guild', 'brigade', 'institution', 'observatory', 'conservatory', 'fellowship',
];
const LOC_KEYWORDS = [
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'boulevard', 'blvd', 'lane', 'ln', 'drive', 'dr', 'way', 'court',
  'ct', 'place', 'pl', 'square', 'sq', 'terrace', 'parkway', 'pkwy', 'highway', 'hwy', 'route', 'apt', 'apartment',
  'suite', 'ste', 'floor', 'unit', 'building', 'po', 'box', 'city', 'county', 'state', 'province', 'region',
  'district', 'village', 'town', 'river', 'lake', 'mountain', 'mount', 'mt', 'island', 'islands', 'bay', 'valley',
  'park', 'beach', 'north', 'south', 'east', 'west', 'northern', 'southern', 'eastern', 'western', 'straße',
  'strasse', 'str', 'rue', 'calle', 'via', 'gatan', 'vej', 'ulica', 'ul', 'katu', 'tie', 'utca', 'plaza', 'piazza',
];
const CALENDAR = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november',
  'december', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'monday',
  'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'mon', 'tue', 'tues', 'wed', 'thu', 'thur',
  'thurs', 'fri', 'sat', 'sun', 'today', 'tomorrow', 'yesterday', 'christmas', 'easter',
];
const NATIONALITIES = [
  'american', 'british', 'english', 'scottish', 'welsh', 'irish', 'canadian', 'australian', 'german', 'french',
  'spanish', 'italian', 'portuguese', 'dutch', 'belgian', 'swiss', 'austrian', 'swedish', 'norwegian', 'danish',
  'finnish', 'polish', 'czech', 'slovak', 'hungarian', 'romanian', 'bulgarian', 'greek', 'turkish', 'russian',
  'ukrainian', 'croatian', 'serbian', 'chinese', 'japanese', 'korean', 'indian', 'pakistani', 'mexican',
  'brazilian', 'argentinian', 'african', 'nigerian', 'egyptian', 'israeli', 'iranian', 'iraqi', 'saudi', 'arab',
  'european', 'asian', 'latino', 'hispanic', 'jewish', 'muslim', 'christian', 'catholic', 'icelandic', 'estonian',
];
// Capitals and large cities of the world, written by us (general knowledge): faker's city lists
// are mostly invented or local, so without these "Tokyo" or "Warsaw" had no gazetteer hit.
const WORLD_CITIES = `Kabul|Tirana|Algiers|Luanda|Buenos Aires|Yerevan|Canberra|Sydney|Melbourne|Brisbane|Perth|Adelaide|Vienna|Baku|Nassau|Manama|
Dhaka|Chittagong|Bridgetown|Minsk|Brussels|Antwerp|Belize|Porto-Novo|Thimphu|La Paz|Sarajevo|Gaborone|Brasilia|Sao Paulo|Rio de Janeiro|
Salvador|Recife|Sofia|Ouagadougou|Bujumbura|Phnom Penh|Yaounde|Douala|Ottawa|Toronto|Montreal|Vancouver|Calgary|Winnipeg|Bangui|
N'Djamena|Santiago|Beijing|Shanghai|Guangzhou|Shenzhen|Chongqing|Tianjin|Wuhan|Chengdu|Nanjing|Hong Kong|Macau|Bogota|Medellin|Cali|
Kinshasa|Brazzaville|San Jose|Zagreb|Havana|Nicosia|Prague|Brno|Copenhagen|Aarhus|Djibouti|Santo Domingo|Quito|Guayaquil|Cairo|
Alexandria|San Salvador|Malabo|Asmara|Tallinn|Addis Ababa|Suva|Helsinki|Paris|Marseille|Lyon|Toulouse|Nice|Libreville|Banjul|Tbilisi|
Berlin|Hamburg|Munich|Cologne|Frankfurt|Stuttgart|Dusseldorf|Leipzig|Dresden|Accra|Kumasi|Athens|Thessaloniki|Guatemala City|
Conakry|Bissau|Georgetown|Port-au-Prince|Tegucigalpa|Budapest|Reykjavik|New Delhi|Delhi|Mumbai|Bombay|Kolkata|Calcutta|Chennai|
Madras|Bangalore|Bengaluru|Hyderabad|Ahmedabad|Pune|Jaipur|Lucknow|Jakarta|Surabaya|Bandung|Tehran|Isfahan|Baghdad|Basra|Mosul|
Dublin|Cork|Jerusalem|Tel Aviv|Haifa|Rome|Milan|Naples|Turin|Florence|Venice|Genoa|Palermo|Bologna|Kingston|Tokyo|Osaka|Kyoto|
Yokohama|Nagoya|Sapporo|Kobe|Fukuoka|Hiroshima|Amman|Astana|Almaty|Nairobi|Mombasa|Pristina|Kuwait City|Bishkek|Vientiane|Riga|
Beirut|Maseru|Monrovia|Tripoli|Benghazi|Vaduz|Vilnius|Luxembourg|Antananarivo|Lilongwe|Kuala Lumpur|Male|Bamako|Valletta|Nouakchott|
Port Louis|Mexico City|Guadalajara|Monterrey|Tijuana|Chisinau|Monaco|Ulaanbaatar|Podgorica|Rabat|Casablanca|Marrakesh|Maputo|
Yangon|Rangoon|Naypyidaw|Windhoek|Kathmandu|Amsterdam|Rotterdam|The Hague|Utrecht|Eindhoven|Wellington|Auckland|Christchurch|
Managua|Niamey|Abuja|Lagos|Kano|Ibadan|Pyongyang|Skopje|Oslo|Bergen|Muscat|Islamabad|Karachi|Lahore|Peshawar|Rawalpindi|Panama City|
Port Moresby|Asuncion|Lima|Manila|Quezon City|Cebu|Warsaw|Krakow|Lodz|Wroclaw|Gdansk|Poznan|Lisbon|Porto|Doha|Bucharest|Cluj|Moscow|
Saint Petersburg|St Petersburg|Novosibirsk|Yekaterinburg|Kazan|Kigali|Riyadh|Jeddah|Mecca|Medina|Dakar|Belgrade|Novi Sad|Freetown|
Singapore|Bratislava|Ljubljana|Mogadishu|Pretoria|Johannesburg|Cape Town|Durban|Seoul|Busan|Incheon|Juba|Madrid|Barcelona|Valencia|
Seville|Bilbao|Malaga|Colombo|Khartoum|Paramaribo|Stockholm|Gothenburg|Malmo|Bern|Zurich|Geneva|Basel|Lausanne|Damascus|Aleppo|
Taipei|Kaohsiung|Dushanbe|Dodoma|Dar es Salaam|Bangkok|Chiang Mai|Lome|Tunis|Ankara|Istanbul|Izmir|Ashgabat|Kampala|Kyiv|Kiev|
Kharkiv|Odesa|Odessa|Lviv|Abu Dhabi|Dubai|Sharjah|London|Manchester|Birmingham|Liverpool|Leeds|Glasgow|Edinburgh|Cardiff|Belfast|
Bristol|Sheffield|Newcastle|Nottingham|Leicester|Southampton|Oxford|Cambridge|Aberdeen|Washington|New York|Los Angeles|Chicago|
Houston|Phoenix|Philadelphia|San Antonio|San Diego|Dallas|Austin|Jacksonville|Fort Worth|Columbus|Charlotte|Indianapolis|
San Francisco|Seattle|Denver|Nashville|Oklahoma City|El Paso|Boston|Portland|Las Vegas|Detroit|Memphis|Louisville|Baltimore|
Milwaukee|Albuquerque|Tucson|Fresno|Sacramento|Kansas City|Atlanta|Miami|Raleigh|Omaha|Minneapolis|Cleveland|Tulsa|Pittsburgh|
Cincinnati|St. Louis|Tampa|Orlando|New Orleans|Honolulu|Anchorage|Montevideo|Tashkent|Samarkand|Caracas|Maracaibo|Hanoi|
Ho Chi Minh City|Saigon|Sanaa|Aden|Lusaka|Harare|Bulawayo|Nuremberg|Bonn|Hanover|Bremen|Essen|Dortmund|Salzburg|Graz|Innsbruck|
Ghent|Bruges|Liege|Lille|Bordeaux|Nantes|Strasbourg|Seville|Granada|Zaragoza|Palma|Naples|Bari|Catania|Verona|Pisa|Krakow`;

/** The world cities above as a list (synthetic sentences use them as fillers). */
export const WORLD_CITY_NAMES = [...new Set(WORLD_CITIES.split('|').map((c) => c.trim()).filter((c) => c !== ''))];

// Letters after a name: a neighbour of a person's name in clinical and legal text.
const CREDENTIALS = [
  'md', 'm.d', 'phd', 'ph.d', 'rn', 'np', 'dds', 'dmd', 'esq', 'jd', 'mba', 'cpa', 'lpn', 'bsn', 'msn', 'aprn',
  'fnp', 'crna', 'pharmd', 'facs', 'facp', 'frcp', 'frcs', 'mbbs', 'mrcp', 'dnp', 'lcsw', 'pa-c', 'qc', 'kc', 'sc',
  'ma', 'msc', 'bsc', 'llb', 'llm', 'mph', 'od', 'dpm', 'dvm', 'rph', 'cnm', 'cna', 'emt', 'paramedic',
];

const GREETINGS = [
  'hi', 'hello', 'hey', 'dear', 'thanks', 'thank', 'regards', 'cheers', 'sincerely', 'best', 'yours', 'love',
  'cordially', 'attn', 'attention', 'from', 'to', 'cc', 'signed', 'sent', 'greetings',
];

// Software and product vocabulary: capitalised in prompts about code, never personal data.
const TECH = `python javascript typescript java kotlin swift rust golang go ruby php perl scala haskell elixir erlang clojure
c++ c# dotnet .net node nodejs npm yarn pnpm deno bun react vue angular svelte nextjs next.js nuxt django flask fastapi
rails laravel spring express nestjs jquery bootstrap tailwind webpack vite babel eslint prettier jest vitest mocha pytest
docker compose kubernetes k8s helm terraform ansible jenkins gitlab github bitbucket git svn linux ubuntu debian centos
fedora windows macos ios android chrome firefox safari edge aws azure gcp lambda s3 ec2 cloudflare vercel netlify heroku
postgres postgresql mysql mariadb sqlite mongodb redis kafka rabbitmq elasticsearch cassandra dynamodb snowflake
bigquery spark hadoop pandas numpy scipy matplotlib sklearn scikit-learn pytorch tensorflow keras jupyter excel
powerpoint word outlook teams slack zoom jira confluence notion figma json yaml xml csv html css sql graphql rest grpc
http https api sdk cli gui ui ux oauth jwt ssl tls ssh ftp dns tcp udp vpn llm gpt chatgpt openai claude gemini llama
ollama vscode vim emacs intellij xcode powershell bash zsh regex unicode utf-8 ascii markdown latex pdf docx xlsx
readme changelog dockerfile makefile localhost nginx apache tomcat iis kibana grafana prometheus datadog sentry`;

/** Characters that end Chinese place names (province, city, county, district, town, island...). */
const CJK_PLACE_CHARS = [...'省市縣县區区鎮镇鄉乡村州島岛國国洲灣湾港'];
/** Characters that end Chinese organisation names (company, group, association, bureau, school...). */
const CJK_ORG_CHARS = [...'司團团會会局院校廠厂黨党部社署館馆隊队行報报臺台'];

/** Words that faker lists as names or places but that are far more often ordinary words. */
const TOO_COMMON = new Set(['the', 'and', 'of', 'a', 'an', 'in', 'on', 'at', 'to', 'for', 'de', 'la', 'le', 'van', 'von', 'da', 'do', 'di', 'du', 'del', 'der', 'den', 'el', 'al', 'y', 'e', 'i', 'o', 'u']);

export function buildGazetteer() {
  const map = new Map();
  const add = (word, bit) => {
    const key = word.toLowerCase().replace(/’/g, "'").replace(/\d/g, '0');
    if (key.length < 2 && bit !== GAZ.TITLE) return;
    if (TOO_COMMON.has(key) && (bit & (GAZ.FIRST | GAZ.LAST | GAZ.CITY | GAZ.PLACE_PART)) !== 0) return;
    map.set(key, (map.get(key) ?? 0) | bit);
  };
  const addPhrase = (phrase, whole, part) => {
    const words = phrase.split(/[\s,]+/u).filter((w) => /\p{L}/u.test(w));
    if (words.length === 1) add(words[0], whole);
    else for (const w of words) add(w.replace(/[.()]/g, ''), part);
  };
  for (const code of LOCALES) {
    const locale = allLocales[code];
    if (locale === undefined) continue;
    const person = locale.person ?? {};
    const location = locale.location ?? {};
    for (const name of strings(person.first_name)) addPhrase(name, GAZ.FIRST, GAZ.FIRST);
    for (const name of strings(person.middle_name)) addPhrase(name, GAZ.FIRST, GAZ.FIRST);
    for (const name of strings(person.last_name)) addPhrase(name, GAZ.LAST, GAZ.LAST);
    for (const city of strings(location.city_name)) addPhrase(city, GAZ.CITY, GAZ.PLACE_PART);
    for (const country of strings(location.country)) addPhrase(country, GAZ.COUNTRY, GAZ.PLACE_PART);
    for (const state of strings(location.state)) addPhrase(state, GAZ.STATE, GAZ.PLACE_PART);
    for (const state of strings(location.county)) addPhrase(state, GAZ.PLACE_PART, GAZ.PLACE_PART);
    for (const suffix of strings(location.street_suffix)) add(suffix.replace(/\.$/, ''), GAZ.STREET_SUFFIX);
    for (const suffix of strings(location.street_prefix)) add(suffix.replace(/\.$/, ''), GAZ.STREET_SUFFIX);
    for (const suffix of strings(locale.company?.legal_entity_type)) add(suffix.replace(/\.$/, ''), GAZ.ORG_SUFFIX);
    for (const suffix of strings(locale.company?.suffix)) add(suffix.replace(/\.$/, ''), GAZ.ORG_SUFFIX);
    for (const prefix of strings(person.prefix)) add(prefix.replace(/\.$/, ''), GAZ.TITLE);
  }
  // Chinese is read one character at a time: surnames are single characters (the length rule
  // above is for alphabetic words), and places and organisations end in telling characters.
  for (const code of ['zh_CN', 'zh_TW']) {
    for (const name of strings(allLocales[code]?.person?.last_name)) if ([...name].length === 1) map.set(name, (map.get(name) ?? 0) | GAZ.LAST);
  }
  for (const char of CJK_PLACE_CHARS) map.set(char, (map.get(char) ?? 0) | GAZ.LOC_KEYWORD);
  for (const char of CJK_ORG_CHARS) map.set(char, (map.get(char) ?? 0) | GAZ.ORG_KEYWORD);
  for (const city of WORLD_CITY_NAMES) addPhrase(city, GAZ.CITY, GAZ.PLACE_PART);
  for (const w of CREDENTIALS) add(w, GAZ.CREDENTIAL);
  for (const w of TITLES) add(w, GAZ.TITLE);
  for (const w of ORG_SUFFIXES) add(w, GAZ.ORG_SUFFIX);
  for (const w of ORG_KEYWORDS) add(w, GAZ.ORG_KEYWORD);
  for (const w of LOC_KEYWORDS) add(w, GAZ.LOC_KEYWORD);
  for (const w of CALENDAR) add(w, GAZ.CALENDAR);
  for (const w of NATIONALITIES) add(w, GAZ.NATIONALITY);
  for (const w of GREETINGS) add(w, GAZ.GREETING);
  for (const w of TECH.split(/\s+/u)) if (w !== '') add(w, GAZ.TECH);
  return map;
}

export const GAZETTEER_ATTRIBUTION =
  'Name, city, country, state and street-suffix gazetteers derived from @faker-js/faker locale data ' +
  '(MIT licence, Copyright (c) 2022-present Faker contributors, https://github.com/faker-js/faker).';

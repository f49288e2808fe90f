/**
 * The context words of the rule detectors, in one place so that tuning them is one edit and
 * every detector uses the shared `hasContext` / `findContextWords` mechanism.
 * @module
 */
import type { ContextWords } from '../context-words.js';

export const PHONE_CONTEXT: ContextWords = {
  words: [
    'phone', 'phones', 'telephone', 'tel', 'tel.', 'ph', 'ph.', 'mobile', 'mob', 'cell', 'cellphone', 'cell phone',
    'fax', 'desk', 'office', 'home', 'work', 'landline', 'hotline', 'call', 'called', 'calling', 'call me',
    'reach', 'reach me', 'contact', 'dial', 'ring', 'text', 'text me', 'sms', 'whatsapp', 'telegram', 'signal',
    'registered', 'my number', 'our number', 'his number', 'her number', 'their number', 'contact number', 'contact no',
    'phone no', 'cell no', 'pager', 'voicemail', 'helpline', 'callback', 'call back', 'tlf', 'telefon', 'telefono', 'téléphone', 'handy', 'portable',
    '电话', '電話', '手机', '手機', '联系', '聯繫', '聯絡', '致电', '致電', '电话号码', '電話號碼', '携帯', '電話番号', '전화', '휴대폰',
  ],
  before: 32,
  after: 12,
};

export const CARD_CONTEXT: ContextWords = {
  words: [
    'card', 'cards', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'maestro',
    'jcb', 'diners', 'unionpay', 'cc', 'ccn', 'pan', 'card number', 'card no', 'charge', 'payment',
  ],
  before: 48,
  after: 16,
};

export const SSN_CONTEXT: ContextWords = {
  words: ['ssn', 'ssns', 'social security', 'social security number', 'social sec', 'ss#', 'ss #', 'ss no', 'tin', 'taxpayer'],
  before: 40,
  after: 16,
};

export const ITIN_CONTEXT: ContextWords = {
  words: ['itin', 'taxpayer identification', 'tax id', 'tax identification', 'tin'],
  before: 40,
  after: 16,
};

export const ROUTING_CONTEXT: ContextWords = {
  words: ['routing', 'routing number', 'routing no', 'aba', 'rtn', 'transit number', 'bank routing'],
  before: 40,
  after: 16,
};

export const NHS_CONTEXT: ContextWords = {
  words: ['nhs', 'nhs number', 'nhs no', 'national health service', 'health service number'],
  before: 40,
  after: 16,
};

export const NINO_CONTEXT: ContextWords = {
  words: ['national insurance', 'national insurance number', 'ni number', 'ni no', 'ni #', 'nino', 'nin', 'insurance number'],
  before: 40,
  after: 0,
};

/** Words before an Indian Aadhaar number or PAN. */
export const INDIA_ID_CONTEXT: ContextWords = {
  words: ['aadhaar', 'aadhar', 'aadhaar number', 'aadhaar no', 'uid', 'uidai', 'pan', 'pan number', 'pan no', 'pan card', 'permanent account number'],
  before: 40,
  after: 0,
};

export const USERNAME_CONTEXT: ContextWords = {
  // Not "user" alone: transcripts label their turns "User:".
  words: [
    'username', 'user name', 'user id', 'userid', 'login', 'login id', 'login name', 'logon', 'handle', 'screen name', 'account name', 'uid',
    'gamertag', 'gamer tag', 'psn id', 'steam id', 'discord',
  ],
};

export const ZIP_CONTEXT: ContextWords = {
  words: ['zip', 'zip code', 'zipcode', 'postal code', 'postcode', 'zip+4'],
  before: 24,
  after: 0,
};

export const BIRTH_CONTEXT: ContextWords = {
  words: [
    'dob', 'd.o.b', 'd.o.b.', 'born', 'birth', 'date of birth', 'birthday', 'birthdate', 'birth date', 'b-day', 'bday',
    '出生', '出生日期', '生日', '生年月日', '생년월일',
    'geboren', 'geburtsdatum', 'geburtstag', 'né', 'née', 'date de naissance', 'nacimiento', 'fecha de nacimiento', 'data di nascita', 'data de nascimento', 'födelsedatum', 'fødselsdato',
  ],
  before: 40,
  after: 12,
};

export const VIN_CONTEXT: ContextWords = {
  words: ['vin', 'vehicle identification', 'chassis', 'vehicle'],
  before: 40,
  after: 12,
};

export const SECRET_CONTEXT: ContextWords = {
  words: [
    'token', 'tokens', 'secret', 'secrets', 'api key', 'api-key', 'api_key', 'apikey', 'key', 'access key',
    'access_key', 'secret key', 'secret_key', 'client secret', 'client_secret', 'auth', 'authorization', 'bearer',
    'credential', 'credentials', 'private key', 'signing key', 'session', 'cookie', 'passphrase',
  ],
  before: 40,
  after: 0,
};

export const AWS_SECRET_CONTEXT: ContextWords = {
  words: ['aws', 'secret', 'secret access key', 'aws_secret_access_key', 'secret_access_key'],
  before: 80,
  after: 0,
};

export const PASSPORT_CONTEXT: ContextWords = {
  words: [
    'passport', 'passport number', 'passport no', 'passport #', 'passport id', 'travel document',
    // German, French, Spanish, Italian, Portuguese, Dutch and Nordic.
    'reisepass', 'reisepassnummer', 'passnummer', 'passeport', 'numéro de passeport', 'pasaporte', 'número de pasaporte',
    'passaporto', 'passaporte', 'paspoort', 'paspoortnummer', 'passnummer', 'passnr',
  ],
};

export const DRIVER_LICENSE_CONTEXT: ContextWords = {
  words: [
    "driver's license", 'driver’s license', 'drivers license', 'driver license', "driver's licence", 'driver’s licence', 'drivers licence', 'driving licence',
    'driving license', 'dl', 'dl#', 'dl #', 'dl no', 'license number', 'licence number', 'license no', 'licence no', 'lic no',
  ],
};

export const MRN_CONTEXT: ContextWords = {
  words: [
    'mrn', 'medical record', 'medical record number', 'patient id', 'patient number', 'patient no', 'chart number', 'health record',
    'unit no', 'unit number', 'hospital number', 'hospital no', 'encounter number', 'visit number', 'admission number',
    'encounter', 'encounter no', 'encounter #', 'encounter id', 'visit id', 'visit no', 'admission id', 'fin #', 'fin no', 'fin number',
    'accession number', 'accession no', 'accession #', 'specimen id', 'specimen number', 'specimen no',
    // Record numbers as notes abbreviate them ("MR# 6643028", "UNIT #: 447-19-28", "Hosp No: K1148823", "Acc#: MR-79-0227").
    'mr #', 'mr no', 'mr number', 'unit #', 'hosp no', 'hosp #', 'accession', 'acc #', 'case #', 'facility id', 'pathology no',
    // Hospital numbers of Indian, Australian and NZ records ("UHID: SVH/2024/118342", "IP No: IP-24-07719", "UR: EHH 0918823").
    'uhid', 'ip no', 'ip number', 'ur', 'ur no', 'ur number', 'urn no',
  ],
};

export const ACCOUNT_CONTEXT: ContextWords = {
  words: [
    'account', 'account number', 'account no', 'account no.', 'account #', 'acct', 'acct no', 'acct #', 'acc no', 'a/c',
    'bank account', 'checking account', 'savings account', 'customer number', 'customer id',
  ],
};

export const ID_CONTEXT: ContextWords = {
  words: [
    'policy number', 'policy no', 'policy #', 'policy', 'member id', 'member number', 'insurance id', 'claim number',
    'claim no', 'claim', 'claim id', 'claim ref', 'national id', 'id number', 'id no', 'employee id', 'employee number', 'student id',
    'personnel number', 'commission no', 'commission number', 'registration number', 'registration no', 'certificate number',
    'certificate no', 'badge number', 'npi', 'dea number', 'bar number', 'bar no', 'fein', 'employer identification number', 'employer id number', 'sbn', 'state bar no', 'state bar number', 'tax id', 'tax number', 'steuer-id', 'steuernummer', 'steuer-identifikationsnummer', 'identifikationsnummer',
    // Health insurance: the US Medicare beneficiary identifier (MBI, HICN), Medicaid, group and subscriber numbers.
    'medicare', 'medicare id', 'medicare number', 'medicare no', 'medicare #', 'medicaid', 'medicaid id', 'medicaid number',
    'medicaid no', 'medicaid #', 'mbi', 'hicn', 'subscriber id', 'subscriber number', 'group number', 'group no', 'group #',
    'insurance number', 'insurance no', 'health insurance number', 'beneficiary id', 'health card number',
    // Court and case files: case, docket and application numbers ("Case No. 2:19-cv-04512", "application no. 36244/06").
    'case no', 'case number', 'case #', 'docket', 'docket no', 'docket number', 'docket #', 'civil action no', 'index no',
    'index number', 'file no', 'file number', 'application', 'applications', 'application no', 'application number',
    // Criminal and administrative files ("an investigation (no. 1996/4512)", "criminal case no. 4-117/2003").
    'case', 'cases', 'criminal case', 'investigation', 'investigations', 'criminal investigation', 'proceedings',
    'complaint no', 'complaint number', 'decision no', 'reference no', 'reference number', 'ref no', 'our ref', 'your ref',
    // Dictation job numbers at the foot of clinical notes ("JOB#: 44721").
    'job #', 'job no', 'job number', 'job',
    // A number right after "ID", "ref" or a confirmation, serial, lot or plan word ("MassHealth ID 100384726519",
    // "ref #QX4471902", "confirmation AC-77120", "pod serial OP5-22K19384", "Health plan #: 000018842273").
    'id', 'id #', 'ref', 'ref #', 'reference', 'confirmation', 'confirmation #', 'serial', 'serial no', 'serial number', 'serial #',
    'lot', 'lot #', 'lot no', 'lot number', 'activation code', 'health plan', 'health plan #', 'plan #', 'plan id', 'member #',
    'supplement', 'certificate', 'license', 'licence',
    // Company, court, police and immigration registers ("company code 302145876", "KRS number 0000487215",
    // "Event No.: E84271956", "A-Number A 219-384-756", "ABN 47 612 904 338").
    'number', 'company code', 'company no', 'company number', 'registered number', 'registered no', 'krs', 'nip', 'regon',
    'abn', 'acn', 'urn', 'uci', 'a-number', 'alien number', 'alien registration number', 'v-number', 'usdot', 'identity card',
    'id card', 'card no', 'crime ref', 'crime reference', 'incident no', 'incident number', 'event no', 'occurrence no',
    'report no', 'report number', 'report #', 'notice no', 'badge', 'badge no', 'shield no', 'warrant no', 'arrest no',
    // Orders, invoices, tickets and returns of support and shop conversations ("order NW-448213", "invoice #48812",
    // "ticket HD-20931", "PO 4500128834", "RMA-66120"), and JSON fields named after them ("employee_id", "national_id").
    'order', 'order #', 'order no', 'order number', 'order id', 'invoice', 'invoice #', 'invoice no', 'invoice number', 'ticket',
    'ticket #', 'ticket no', 'ticket number', 'ticket id', 'po', 'po #', 'po number', 'purchase order', 'rma', 'rma #', 'rma number',
    'tracking', 'tracking number', 'tracking #', 'tracking id', 'national id', 'national_id', 'contact id', 'customer no',
    'case id', 'request id', 'reference id', 'kenmerk', 'referentie', 'dossiernummer', 'ärendenummer', 'referens', 'référence',
    'referencia', 'número de pedido', 'numéro de commande', 'bestellnummer', 'auftragsnummer', 'rechnungsnummer',
    // National and insurance numbers of other countries, by their names ("DNI 12345678Z", "BSN: 123456782").
    'dni', 'nif', 'nir', 'codice fiscale', 'bsn', 'burgerservicenummer', 'personnummer', 'personnr', 'cpr', 'cpr-nr',
    'cpr-nummer', 'fødselsnummer', 'henkilötunnus', 'pesel', 'oib', 'jmbg', 'rodné číslo', 'rodne cislo', 'cnp', 'egn',
    'personalausweisnummer', 'ausweisnummer', 'versicherungsnummer', 'sozialversicherungsnummer', 'rentenversicherungsnummer',
    'krankenversicherungsnummer', 'kundennummer', 'vertragsnummer', 'aktenzeichen', 'numéro de sécurité sociale',
    'numéro de dossier', 'numéro client', 'número de cliente', 'número de expediente', 'expediente', 'numero di pratica',
    // Health registers and referrals of the UK, Canada, Australia and New Zealand ("UBRN: 0004 8825 1163", "NHI: ZKM4417",
    // "CHI: 140522 2026", "HCN: 4382-916-507-KT", "GMC: 6127459", "AHPRA reg. DEN0001874512"), lab and prescription numbers.
    'ubrn', 'e-referral ubrn', 'nhi', 'chi', 'hcn', 'health card', 'gmc', 'gmc no', 'gmc number', 'nmc', 'nmc pin', 'gphc', 'gphc reg',
    'ahpra', 'ahpra reg', 'reg', 'reg no', 'registration', 'dva', 'gold card', 'lab no', 'lab number', 'rx', 'rx #', 'rx no',
    'prescription number', 'client number', 'client no', 'client id', 'member no', 'membership number', 'membership no', 'request #',
    'request no', 'request number',
    // Staff, tenancy, tax and payment references ("Employee ID: LFA-E-02214", "lease BPM-L-22917", "VAT No. GB 298 5551 42").
    'staff id', 'staff number', 'staff no', 'employee no', 'lease', 'lease no', 'lease number', 'tenancy number', 'event number',
    'req', 'requisition', 'upn', 'nric', 'fin', 'voucher', 'mls', 'mls #', 'refund id', 'cost code', 'vat no', 'vat number', 'vat reg',
    'payment reference', 'check #', 'auth code', 'authorization code', 'authorisation code', 'approval code', 'conf', 'conf #',
    'mietvertragsnummer', 'parte', 'número del parte', 'personeelsnummer', 'protocolo', 'protocolos', 'cpf', 'nr pracownika',
    'numer pracownika',
  ],
};

export const BOOKING_CONTEXT: ContextWords = {
  words: [
    'booking reference', 'booking ref', 'booking code', 'booking number', 'booking no', 'reservation number', 'reservation code',
    'confirmation number', 'confirmation code', 'record locator', 'pnr',
    'reserva', 'código de reserva', 'réservation', 'buchungsnummer', 'prenotazione',
  ],
};

/** Words before a vehicle registration ("licence plate AB12 CDE", "plate number 7ABC123"). */
export const PLATE_CONTEXT: ContextWords = {
  words: [
    'license plate', 'licence plate', 'plate number', 'plate no', 'number plate', 'registration plate', 'vehicle registration',
    'vehicle reg', 'reg no', 'reg', 'vrm', 'registration', 'registration mark', 'plate', 'plates', 'tag number', 'kennzeichen', 'matrícula', 'targa',
    'rego', 'car number', 'car reg', 'hire car',
  ],
};

/** Hospital pager numbers are short ("Pager #41237"), so only their keyword marks them. */
export const PAGER_CONTEXT: ContextWords = {
  words: ['pager', 'pager #', 'pager no', 'pager number', 'beeper', 'bleep', 'pgr', 'pgr #', 'pg #'],
};

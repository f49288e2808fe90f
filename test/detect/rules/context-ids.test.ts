import { describe, expect, it } from 'vitest';
import { keywordIdDetector } from '../../../src/detect/rules/context-ids.js';
import { found } from './helpers.js';

describe('keyword identifiers', () => {
  it('finds identifiers right after their keyword', () => {
    expect(found(keywordIdDetector, 'Passport number: C03005988.')).toEqual(['PASSPORT:C03005988']);
    expect(found(keywordIdDetector, "My driver's license number is LH329609T")).toEqual(['DRIVER_LICENSE:LH329609T']);
    expect(found(keywordIdDetector, 'DL# 2270-66-1551')).toEqual(['DRIVER_LICENSE:2270-66-1551']);
    expect(found(keywordIdDetector, 'Driver license CA D1234567, passport no. 561234567')).toEqual([
      'DRIVER_LICENSE:D1234567',
      'PASSPORT:561234567',
    ]);
    expect(found(keywordIdDetector, 'MRN 00123456, seen today')).toEqual(['MRN:00123456']);
    expect(found(keywordIdDetector, 'medical record number is 4471-22')).toEqual(['MRN:4471-22']);
    expect(found(keywordIdDetector, 'acct no. 12345678')).toEqual(['ACCOUNT:12345678']);
    // Separators around a keyword vary; the keyword is the same one.
    expect(found(keywordIdDetector, 'Name: Hernandez, Luis   Acct#: 7782-001934')).toEqual(['ACCOUNT:7782-001934']);
    expect(found(keywordIdDetector, 'policy number AB-7731942')).toEqual(['ID:AB-7731942']);
    expect(found(keywordIdDetector, 'your claim #CLM-2024-008812 is approved')).toEqual(['ID:CLM-2024-008812']);
    expect(found(keywordIdDetector, 'Unit No: 4471209. Admission Date')).toEqual(['MRN:4471209']);
    expect(found(keywordIdDetector, 'Notary Public, Commission No. 01NA6123456')).toEqual(['ID:01NA6123456']);
  });

  it('takes a court file number past its register letters', () => {
    expect(found(keywordIdDetector, 'together with the reference no. IV K 218/05.')).toEqual(['ID:218/05']);
    expect(found(keywordIdDetector, 'an enforcement order (case no. I. 2134/04) and case no. II Ca 1234/06')).toEqual(['ID:2134/04', 'ID:1234/06']);
    // Register letters stand only before a file number with its year.
    expect(found(keywordIdDetector, 'case no. IV K 21805')).toEqual([]);
  });

  it('takes digit groups split by single spaces whole', () => {
    expect(found(keywordIdDetector, 'Steuer-ID 12 345 678 901, Berlin')).toEqual(['ID:12 345 678 901']);
    expect(found(keywordIdDetector, 'Meine Steuer-ID ist 12 345 678 901.')).toEqual(['ID:12 345 678 901']);
    expect(found(keywordIdDetector, 'account number 1234 5678 9012 for refunds')).toEqual(['ACCOUNT:1234 5678 9012']);
  });

  it('takes booking references, which may have no digit, after their keyword only', () => {
    expect(found(keywordIdDetector, 'our booking ref is QX7T9P.')).toEqual(['ID:QX7T9P']);
    expect(found(keywordIdDetector, 'PNR: KLMABC')).toEqual(['ID:KLMABC']);
    expect(found(keywordIdDetector, 'the booking ref is pending')).toEqual([]);
    expect(found(keywordIdDetector, 'code QX7T9P')).toEqual([]);
  });

  it('finds health insurance, encounter and specimen numbers of clinical records', () => {
    expect(found(keywordIdDetector, 'Insurance: Medicare ID 1EG4-TE5-MK73.')).toEqual(['ID:1EG4-TE5-MK73']);
    expect(found(keywordIdDetector, 'Medicaid # 123456789A')).toEqual(['ID:123456789A']);
    expect(found(keywordIdDetector, 'Group No. 0048213, subscriber id XJH482910334')).toEqual(['ID:0048213', 'ID:XJH482910334']);
    expect(found(keywordIdDetector, 'Encounter #: 99218834')).toEqual(['MRN:99218834']);
    expect(found(keywordIdDetector, 'Fax 555-2938. Pager #41237.')).toEqual(['PHONE:41237']);
    expect(found(keywordIdDetector, 'see page 1234 of the chart')).toEqual([]);
    expect(found(keywordIdDetector, 'Accession number S24-11873 received')).toEqual(['MRN:S24-11873']);
  });

  it('finds case, docket and application numbers of legal texts, lists included', () => {
    expect(found(keywordIdDetector, 'Case No. 2:19-cv-04512-JLS (C.D. Cal.)')).toEqual(['ID:2:19-cv-04512-JLS']);
    expect(found(keywordIdDetector, 'Docket No. 21-1234')).toEqual(['ID:21-1234']);
    expect(found(keywordIdDetector, 'Linda K. Okafor (SBN 214987), counsel')).toEqual(['ID:214987']);
    expect(found(keywordIdDetector, 'EIN 12-3456789; FEIN: 98-7654321')).toEqual(['ID:12-3456789', 'ID:98-7654321']);
    expect(found(keywordIdDetector, 'ein 12-3456789 Stück')).toEqual([]);
    expect(found(keywordIdDetector, 'The case originated in an application (no. 36244/06) against Denmark')).toEqual(['ID:36244/06']);
    expect(found(keywordIdDetector, 'in applications nos. 2052/07, 3104/08 and 6158/10 lodged')).toEqual(['ID:2052/07', 'ID:3104/08', 'ID:6158/10']);
    expect(found(keywordIdDetector, 'the application of Article 6 § 1 in 2019')).toEqual([]);
    expect(found(keywordIdDetector, 'had opened an investigation (no. 1996/4512) into')).toEqual(['ID:1996/4512']);
    expect(found(keywordIdDetector, 'in criminal case no. 4-117/2003 the court')).toEqual(['ID:4-117/2003']);
    expect(found(keywordIdDetector, 'Our ref: KB/20417 regarding')).toEqual(['ID:KB/20417']);
    expect(found(keywordIdDetector, 'D: 11/09/89 T: 11/10/89 JOB#: 44721')).toEqual(['ID:44721']);
    expect(found(keywordIdDetector, 'Daniel K. Obi, MD Cardiology Fellow / pgr 3-4417')).toEqual(['PHONE:3-4417']);
    expect(found(keywordIdDetector, 'Ihre Versicherungsnummer lautet 4711-0815-23.')).toEqual(['ID:4711-0815-23']);
    expect(found(keywordIdDetector, 'MassHealth ID 100384726519; ref #QX4471902; pod serial OP5-22K19384; Health plan #: 000018842273')).toEqual([
      'ID:100384726519',
      'ID:QX4471902',
      'ID:OP5-22K19384',
      'ID:000018842273',
    ]);
    expect(found(keywordIdDetector, 'MR# 6643028, UNIT #: 447-19-28, Hosp No: K1148823, Acc#: MR-79-0227-0412')).toEqual([
      'MRN:6643028',
      'MRN:447-19-28',
      'MRN:K1148823',
      'MRN:MR-79-0227-0412',
    ]);
    expect(found(keywordIdDetector, 'DNI 12345678Z y pasaporte PAB123456')).toEqual(['ID:12345678Z', 'PASSPORT:PAB123456']);
    expect(found(keywordIdDetector, 'personnummer 19900312-1234, CPR-nr. 010190-1234')).toEqual(['ID:19900312-1234', 'ID:010190-1234']);
    expect(found(keywordIdDetector, 'the proceedings in 2003 and the case of 1998 were long')).toEqual([]);
    // A list goes on only through joiners, never through other words.
    expect(found(keywordIdDetector, 'application no. 36244/06 was lodged 12345/07')).toEqual(['ID:36244/06']);
  });

  it('finds vehicle registrations after their keyword: letters and digits both', () => {
    expect(found(keywordIdDetector, 'License plate 7ABC123, blue sedan')).toEqual(['LICENSE_PLATE:7ABC123']);
    expect(found(keywordIdDetector, 'a Ford with the number plate AB12 CDE was seen')).toEqual(['LICENSE_PLATE:AB12 CDE']);
    expect(found(keywordIdDetector, 'Kennzeichen B-MW 1234')).toEqual(['LICENSE_PLATE:B-MW 1234']);
    expect(found(keywordIdDetector, 'the plate was ABCD')).toEqual([]);
    expect(found(keywordIdDetector, 'a plate of 2024 cookies')).toEqual([]);
  });

  it('ignores the same values without a keyword', () => {
    expect(found(keywordIdDetector, 'flight C03005988 boards')).toEqual([]);
    expect(found(keywordIdDetector, 'room 00123456')).toEqual([]);
  });

  it('takes a number of some register after "No." alone, three digits at least', () => {
    expect(found(keywordIdDetector, 'Officer RYAN KOWALSKI, Badge No. 2271; No. 1:22-cv-03371 OPINION; (report no. 3581)')).toEqual([
      'ID:2271',
      'ID:1:22-cv-03371',
      'ID:3581',
    ]);
    expect(found(keywordIdDetector, 'KRS number 0000487215, NIP 8942987654; holder of passport no. NXR4K71P2')).toEqual([
      'ID:0000487215',
      'ID:8942987654',
      'PASSPORT:NXR4K71P2',
    ]);
    expect(found(keywordIdDetector, 'No. 10 Downing Street; no. 12 of 2005; No. 5 on the list')).toEqual([]);
  });

  it('ignores keywords followed by words, years or short numbers', () => {
    expect(found(keywordIdDetector, 'I opened the account in 2019 with 500 dollars')).toEqual([]);
    // The passport word does not reach past other words; "ref" names its own number.
    expect(found(keywordIdDetector, 'my passport expires next year, ref 1234567')).toEqual(['ID:1234567']);
    expect(found(keywordIdDetector, 'my passport expires next year, maybe 1234567')).toEqual([]);
    expect(found(keywordIdDetector, 'the deal number is 814014-why can\'t you see it')).toEqual(['ID:814014']);
    expect(found(keywordIdDetector, 'order NW-448213 was placed; Invoice INV-2024-00931; recovery ticket is IRC-3348812; PO 4500128834')).toEqual([
      'ID:NW-448213',
      'ID:INV-2024-00931',
      'ID:IRC-3348812',
      'ID:4500128834',
    ]);
    expect(found(keywordIdDetector, '{"employee_id": "E-20417", "national_id": "15038812345", "ticket": "HD-20931"}')).toEqual([
      'ID:E-20417',
      'ID:15038812345',
      'ID:HD-20931',
    ]);
    expect(found(keywordIdDetector, 'your tenant account number T-20931; on account ACC-55120')).toEqual(['ACCOUNT:T-20931', 'ACCOUNT:ACC-55120']);
    expect(found(keywordIdDetector, 'Why did Bush revoke Executive Order 13011 today?')).toEqual([]);
    expect(found(keywordIdDetector, 'MRN pending')).toEqual([]);
  });

  it('reads the registers of health records, staff, tenancies and payments, and codes with four digits', () => {
    const text = 'UHID: SVH/2024/118342 IP No: IP-24-07719. UBRN: 0004 8825 1163, NHI: ZKM4417, GMC: 6127459; ticket is OPS-4412; lease BPM-L-22917.';
    expect(found(keywordIdDetector, text)).toEqual([
      'MRN:SVH/2024/118342',
      'MRN:IP-24-07719',
      'ID:0004 8825 1163',
      'ID:ZKM4417',
      'ID:6127459',
      'ID:OPS-4412',
      'ID:BPM-L-22917',
    ]);
    // Four digits alone are still too few after a keyword.
    expect(found(keywordIdDetector, 'ticket 4412 and order 2231')).toEqual([]);
  });

  it('finds a UK sort code with its account, and the last digits of an account', () => {
    const values = (text: string): string[] => found(keywordIdDetector, text);
    expect(values('return it to my account at Harrowgate, 40-11-62 71849036. If not')).toEqual(['ACCOUNT:40-11-62 71849036']);
    expect(values('harlow bank 20 32 06 53119087 name adebisi')).toEqual(['ACCOUNT:20 32 06 53119087']);
    expect(values('paid into an account at Tally Bank ending 5521 that')).toEqual(['ACCOUNT:5521']);
  });
});

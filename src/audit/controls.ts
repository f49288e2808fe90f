/**
 * The control mapping of the compliance report: which evidence in the audit log speaks to
 * which requirement. Statements are about what Veil did in the period (figures from the log)
 * and which detector tier covers which identifier; they are evidence for an assessor, not a
 * certification.
 * @module
 */
import type { ActionCounts } from './event.js';

export type Tier = 'rules' | 'custom' | 'ner' | 'llm';

/** A detector as the report sees it: id, tier and the entity types it emits. */
export interface DetectorInfo {
  readonly id: string;
  readonly tier: Tier;
  readonly types: readonly string[];
}

/** HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(A)-(R), and the Veil entity types that cover each. */
export const HIPAA_IDENTIFIERS: readonly { readonly ref: string; readonly name: string; readonly types: readonly string[]; readonly note?: string }[] = [
  { ref: 'A', name: 'Names', types: ['PERSON'] },
  { ref: 'B', name: 'Geographic subdivisions smaller than a state', types: ['LOCATION', 'ADDRESS', 'ZIP'] },
  { ref: 'C', name: 'Dates (except year) and ages over 89', types: ['DATE', 'DATE_OF_BIRTH', 'AGE'] },
  { ref: 'D', name: 'Telephone numbers', types: ['PHONE'] },
  { ref: 'E', name: 'Fax numbers', types: ['PHONE'] },
  { ref: 'F', name: 'Email addresses', types: ['EMAIL'] },
  { ref: 'G', name: 'Social Security numbers', types: ['SSN'] },
  { ref: 'H', name: 'Medical record numbers', types: ['MRN'] },
  { ref: 'I', name: 'Health plan beneficiary numbers', types: ['ACCOUNT', 'ID'] },
  { ref: 'J', name: 'Account numbers', types: ['ACCOUNT', 'IBAN', 'CREDIT_CARD', 'ABA_ROUTING'] },
  { ref: 'K', name: 'Certificate / license numbers', types: ['DRIVER_LICENSE', 'PASSPORT', 'ID'] },
  { ref: 'L', name: 'Vehicle identifiers and serial numbers, plates', types: ['VIN'] },
  { ref: 'M', name: 'Device identifiers and serial numbers', types: ['MAC', 'ID'] },
  { ref: 'N', name: 'Web URLs', types: ['URL'] },
  { ref: 'O', name: 'IP addresses', types: ['IP'] },
  { ref: 'P', name: 'Biometric identifiers', types: [], note: 'not text: out of scope of a text gateway' },
  { ref: 'Q', name: 'Full-face photographs', types: [], note: 'images: needs the OCR/image extractor' },
  { ref: 'R', name: 'Any other unique identifying number or code', types: ['ID', 'PASSPORT', 'NHS', 'NINO', 'NATIONAL_ID', 'ITIN'], note: 'plus custom entities from policy' },
];

export interface HipaaRow {
  readonly ref: string;
  readonly identifier: string;
  readonly entity_types: readonly string[];
  /** Tiers with a detector for at least one of the types. */
  readonly tiers: readonly Tier[];
  readonly status: 'detected' | 'not covered';
  /** Spans of these types masked, redacted or blocked in the period. */
  readonly protected_in_period: number;
  readonly note: string | null;
}

export function hipaaMapping(detectors: readonly DetectorInfo[], entities: Readonly<Record<string, ActionCounts>>): HipaaRow[] {
  return HIPAA_IDENTIFIERS.map((identifier) => {
    const tiers = new Set<Tier>();
    for (const detector of detectors) if (detector.types.some((type) => identifier.types.includes(type))) tiers.add(detector.tier);
    let protectedCount = 0;
    for (const type of identifier.types) {
      const counts = entities[type];
      if (counts !== undefined) protectedCount += (counts.mask ?? 0) + (counts.redact ?? 0) + (counts.block ?? 0);
    }
    return {
      ref: identifier.ref,
      identifier: identifier.name,
      entity_types: identifier.types,
      tiers: [...tiers],
      status: tiers.size > 0 ? 'detected' : 'not covered',
      protected_in_period: protectedCount,
      note: identifier.note ?? null,
    };
  });
}

export interface ControlRow {
  readonly framework: string;
  readonly control: string;
  readonly title: string;
  readonly evidence: string;
  readonly status: 'evidence' | 'partial' | 'gap';
}

export interface ControlFigures {
  readonly requests: number;
  readonly masked: number;
  readonly redacted: number;
  readonly blocked_requests: number;
  readonly leak_gate_trips: number;
  readonly card_numbers_protected: number;
  readonly card_numbers_allowed: number;
  readonly unmask_allowed: number;
  readonly unmask_denied: number;
  readonly chain_ok: boolean;
  readonly event_count: number;
  readonly checkpoints_verified: number;
  readonly key_events: number;
  readonly erased_sessions: number;
  readonly erased_tenants: number;
  readonly purged_entries: number;
}

export function controlMapping(figures: ControlFigures): ControlRow[] {
  const chain = figures.chain_ok
    ? `audit chain intact over ${figures.event_count} events, ${figures.checkpoints_verified} signed checkpoints verified`
    : 'audit chain verification FAILED (see chain status)';
  const erasures = figures.erased_sessions + figures.erased_tenants;
  return [
    {
      framework: 'GDPR',
      control: 'Art. 17',
      title: 'Right to erasure',
      evidence: `${figures.erased_sessions} session and ${figures.erased_tenants} tenant erasures carried out (a tenant's data key is deleted: crypto-shredding); ${figures.purged_entries} expired vault entries purged by TTL`,
      status: erasures > 0 || figures.purged_entries > 0 ? 'evidence' : 'partial',
    },
    {
      framework: 'GDPR',
      control: 'Art. 25',
      title: 'Data protection by design and by default',
      evidence: `masking is the default action: ${figures.masked} values masked and ${figures.redacted} redacted before ${figures.requests} requests left; ${figures.blocked_requests} requests blocked by policy`,
      status: figures.requests > 0 ? 'evidence' : 'partial',
    },
    {
      framework: 'GDPR',
      control: 'Art. 32',
      title: 'Security of processing (pseudonymisation, integrity)',
      evidence: `values replaced by tokens (pseudonymisation), originals kept encrypted in the vault; leak gate tripped ${figures.leak_gate_trips} times (requests refused); ${chain}`,
      status: figures.chain_ok ? 'evidence' : 'gap',
    },
    {
      framework: 'PCI DSS',
      control: '3.4',
      title: 'PAN rendered unreadable wherever stored',
      evidence: `${figures.card_numbers_protected} card numbers masked, redacted or blocked, ${figures.card_numbers_allowed} allowed by policy; the audit log stores token ids and counts only`,
      status: figures.card_numbers_allowed === 0 ? 'evidence' : 'partial',
    },
    {
      framework: 'SOC 2',
      control: 'CC6',
      title: 'Logical access: keys, roles, authorised unmasking',
      evidence: `every event names the gateway key id and role; unmask requests ${figures.unmask_allowed} allowed, ${figures.unmask_denied} denied; ${figures.key_events} key operations recorded`,
      status: 'evidence',
    },
    {
      framework: 'SOC 2',
      control: 'CC7',
      title: 'System operations: monitoring and detection',
      evidence: `per-request audit events with upstream status and latency; Prometheus metrics and traces; leak-gate trips ${figures.leak_gate_trips}; ${chain}`,
      status: figures.chain_ok ? 'evidence' : 'gap',
    },
    {
      framework: 'EU AI Act',
      control: 'Art. 10',
      title: 'Data governance: personal data minimised before the model',
      evidence: `${figures.masked + figures.redacted} personal data values removed from model inputs in the period; detector figures below`,
      status: figures.requests > 0 ? 'evidence' : 'partial',
    },
    {
      framework: 'EU AI Act',
      control: 'Art. 12',
      title: 'Record-keeping: automatic, tamper-evident logs',
      evidence: `${chain}; events carry time, tenant, route, provider, model, policy version and outcome`,
      status: figures.chain_ok ? 'evidence' : 'gap',
    },
  ];
}

/**
 * The built-in detectors and the default engine. A new detector is added by implementing
 * `Detector` and listing it here, nothing else.
 * @module
 */
import type { Detector } from './detector.js';
import { DetectionEngine, type DetectionEngineOptions } from './engine.js';
import { createNerDetector } from './ner/ner-detector.js';
import { abaRoutingDetector } from './rules/aba-routing.js';
import { keywordIdDetector } from './rules/context-ids.js';
import { creditCardDetector } from './rules/credit-card.js';
import { cryptoWalletDetector } from './rules/crypto-wallet.js';
import { dateDetector } from './rules/date.js';
import { emailDetector } from './rules/email.js';
import { highEntropyDetector } from './rules/high-entropy.js';
import { ibanDetector } from './rules/iban.js';
import { ipDetector } from './rules/ip.js';
import { macDetector } from './rules/mac.js';
import { moneyDetector } from './rules/money.js';
import { cjkNationalIdDetector } from './rules/national-id-cjk.js';
import { nhsDetector } from './rules/nhs.js';
import { ninoDetector } from './rules/nino.js';
import { indiaNationalIdDetector } from './rules/national-id-in.js';
import { objectIdDetector } from './rules/object-ids.js';
import { passwordDetector } from './rules/password.js';
import { phoneDetector } from './rules/phone.js';
import { privateKeyDetector } from './rules/private-key.js';
import { secretKeyDetector } from './rules/secret-keys.js';
import { itinDetector, ssnDetector } from './rules/ssn.js';
import { urlDetector } from './rules/url.js';
import { usernameDetector } from './rules/username.js';
import { vinDetector } from './rules/vin.js';
import { spokenDateDetector } from './rules/spoken-dates.js';
import { spokenEmailDetector } from './rules/spoken-email.js';
import { spokenNumberDetector } from './rules/spoken-numbers.js';
import { streetAddressDetector } from './rules/street-address.js';
import { timeDetector } from './rules/time.js';
import { structuredFieldDetector } from './rules/structured-fields.js';
import { zipDetector } from './rules/zip.js';

/** Every built-in rule detector (tier T1), in a stable order. */
export function builtinDetectors(): Detector[] {
  return [
    emailDetector,
    urlDetector,
    ipDetector,
    macDetector,
    phoneDetector,
    creditCardDetector,
    ibanDetector,
    ssnDetector,
    itinDetector,
    abaRoutingDetector,
    keywordIdDetector,
    objectIdDetector,
    structuredFieldDetector,
    vinDetector,
    nhsDetector,
    ninoDetector,
    cjkNationalIdDetector,
    indiaNationalIdDetector,
    zipDetector,
    streetAddressDetector,
    dateDetector,
    timeDetector,
    moneyDetector,
    spokenNumberDetector,
    spokenEmailDetector,
    spokenDateDetector,
    cryptoWalletDetector,
    secretKeyDetector,
    privateKeyDetector,
    passwordDetector,
    usernameDetector,
    highEntropyDetector,
  ];
}

/**
 * The default engine: every rule detector plus the built-in NER model (tier T2). The engine's
 * own per-text cache stands in for the NER detector's, so turning the engine cache off
 * (`cache: false`, `VEIL_DETECT_CACHE=off`) shows the uncached cost of every tier.
 */
export function defaultDetectors(): Detector[] {
  return [...builtinDetectors(), createNerDetector({ cacheSize: 0 })];
}

export function createDefaultEngine(options: Partial<DetectionEngineOptions> = {}): DetectionEngine {
  return new DetectionEngine({ ...options, detectors: options.detectors ?? defaultDetectors() });
}

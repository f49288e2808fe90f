/**
 * A session's token scope backed by the vault store.
 *
 * Opening it loads the scope's entries once (one `listScope`); after that `resolve` never
 * touches the store (it decrypts a value the first time its token is asked for, so opening a
 * long session costs no decryption per entry), and `tokenize` only does when a request brings
 * values this scope has not seen:
 * all of them go to the store in ONE `putMany` (one transaction), and the store's answer wins,
 * because another process may have stored the same value first. A token is returned only once
 * that write has completed, so a crash never loses a token a client has seen.
 *
 * Formats: a request's own `format` (chosen per span by policy) wins; otherwise `format` picks
 * the token format per entity type (default placeholder, see `tokens/formats.ts`). `redact`
 * and `hash` tokens are computed and never stored; `opaque`, `opaque-siv` and `fpe` tokens
 * are computed from the value and stored like placeholders (the row is what rehydration
 * resolves them from); `fpe` on a value with too few digits falls back to a placeholder. A value that already has an entry keeps its token whatever the format now
 * says: the store's answer wins, as between processes. The scope is a `FormatTokenLookup`, so
 * `tokens/matcher.ts` can put opaque and fpe tokens back.
 *
 * Deferred opening (`PersistentTokenScope.deferred`, the gateway's masked routes): nothing is
 * read on open; the first `tokenize` stores the request's values and loads the rest of the
 * session in ONE store call (`putManyAndList`, one round trip on PostgreSQL), so a request
 * waits on the database once, and rehydrating its answer needs no database at all. A value
 * the lease's `ValueMemo` already holds for this session is sent with its memoised lookup and
 * ciphertext (no HMAC, no encryption), and known without decrypting when the store answers
 * with those bytes; its token is still the store's.
 *
 * Known turns (`knownTurns`, deferred scopes only): most turns of a conversation only resend
 * values the session already has. When every request of the first `tokenize` is a one-way
 * format (redact, hash) or a value whose live entry the lease's `SessionMemory` holds for this
 * session, the scope answers from that memory with NO store call: the memory is filled only from
 * the store's answers (a whole-session load through this process, younger than 5 minutes, and
 * this process's writes since), and a live entry's token never changes, so the tokens are the
 * store's. Any other turn goes to the store exactly as above (one `putManyAndList`, the whole
 * session loaded), and that answer replaces what the memory held for the session. An expired
 * entry is never served from memory (the store would number the value again); expiry is fixed
 * when an entry is created (nothing slides), so skipping the store skips no write.
 *
 * Such a scope is `partial`: it resolves every token the session had at this process's last load
 * and every token this process stored since, but not a token another replica stored meanwhile.
 * The model can only echo such a token if the request shows it to it, so the caller checks the
 * request it forwards (`needsLoad`: a token-shaped string this scope does not resolve) and, only
 * then, awaits `loadSession()` (one store call, checking the key like any load) BEFORE
 * forwarding; the answer is then rehydrated as from a loaded scope, with no store call while it
 * streams (resolving stays synchronous). Chosen over loading when the answer shows an unknown
 * token because rehydration is synchronous, the policy's rehydration view is computed from the
 * scope's types before the answer arrives, and a stream would have to stop mid-way. What it does
 * not cover: a model that recalls, from conversation state kept by the provider (not resent in
 * the request), a token another replica issued to this session less than the memory's max age
 * ago, on a turn whose own values are all known here; that token stays as the model wrote it.
 * Erasure and known turns: a revoked lease empties the memory (tenant erasure, here or by
 * notice), a session deleted through this process is forgotten at once, one deleted through
 * another process as soon as the store's notice arrives (PostgreSQL `deleteScope` sends one; a
 * channel that was down makes every session go), and a known turn trusts the lease's key only
 * for `keyCheckMs` after the store last confirmed it. Without a notice (SQLite shared with a
 * `veil vault forget` process, or a notice still in flight) a deleted session may be served
 * from memory until its max age (5 minutes after this process's last load of it).
 *
 * Erasure: a scope opened by the vault holds the tenant's `TenantKeyLease`. Opening it (and a
 * deferred scope's first `tokenize`) goes through `putManyAndList` with the lease's key
 * generation, so the store refuses the call when that key was shredded meanwhile, by any
 * process. Once the lease is revoked (here or by a notice from another replica), the scope
 * forgets every value it decrypted, resolves nothing and refuses to tokenize.
 *
 * TTL: new entries get `expiresAt = now + ttlSeconds`. Expiry is the store's job: expired
 * entries are not loaded when a scope is opened and `purgeExpired` deletes them; a scope object
 * that is already open (one request) keeps what it loaded.
 * @module
 */
import { VeilError, VeilErrorCode } from '../core/errors.js';
import type { TenantKeys } from './crypto.js';
import { encryptValue, lookupOf, tryDecryptValue } from './crypto.js';
import { isStaleDataKeyError, staleDataKeyError, type TenantKeyLease } from './key-lease.js';
import { isExpired, type RememberedEntry, type RememberedSession } from './session-memory.js';
import type { TokenRequest, TokenScope } from './token-scope.js';
import { deriveFormatKeys, type FormatKeys } from './tokens/format-keys.js';
import { PLACEHOLDER_ONLY, type FormatChooser, type TokenFormatName } from './tokens/formats.js';
import { fpeApplies, fpeEncrypt } from './tokens/fpe.js';
import { hashToken } from './tokens/hash.js';
import type { FormatTokenLookup } from './tokens/matcher.js';
import { OPAQUE_TOKEN, openSivToken, opaqueToken, sivToken } from './tokens/opaque.js';
import { tokenKey, typeOfTokenKey } from './tokens/placeholder.js';
import { redactToken } from './tokens/redact.js';
import type { MemoisedValue } from './value-memo.js';
import type { NewVaultEntry, VaultEntry, VaultStore } from './vault-store.js';

export interface PersistentScopeOptions {
  readonly store: VaultStore;
  readonly keys: TenantKeys;
  readonly tenant: string;
  readonly session: string;
  /** New entries expire this long after they are first stored. */
  readonly ttlSeconds?: number;
  readonly now?: () => number;
  /** Token format per entity type (default: placeholder for every type). */
  readonly format?: FormatChooser;
  /**
   * The vault's lease on the tenant's keys (`keys` must be `lease.keys`): the store checks its
   * generation when the scope loads, and revoking it empties the scope.
   */
  readonly lease?: TenantKeyLease;
  /**
   * A fresh lease when the store reports the key shredded before a deferred scope has loaded
   * anything (the tenant was erased and is back): the first `tokenize` then runs again under
   * the tenant's new key instead of failing.
   */
  readonly renew?: () => Promise<TenantKeyLease>;
  /**
   * A deferred scope may answer a known turn from the lease's `SessionMemory` without any store
   * call. Only for callers that check `needsLoad` on the request before forwarding it (and call
   * `loadSession` when it says so), since such a scope starts `partial`.
   */
  readonly knownTurns?: boolean;
  /**
   * How long a known turn trusts the lease's key without the store having confirmed it (default
   * 10 000 ms, as `Vault`'s `keyCheckMs`): past that, the turn makes its store call, which checks it.
   */
  readonly keyCheckMs?: number;
}

/** Default of `PersistentScopeOptions.keyCheckMs`. */
const DEFAULT_KEY_CHECK_MS = 10_000;

export class PersistentTokenScope implements TokenScope, FormatTokenLookup {
  readonly tenant: string;
  readonly session: string;
  #unreadable = 0;
  readonly #store: VaultStore;
  #keys: TenantKeys;
  #lease: TenantKeyLease | undefined;
  #renew: (() => Promise<TenantKeyLease>) | undefined;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;
  /** type + normalised value → token key: answers known values without computing an HMAC. */
  readonly #byIdentity = new Map<string, string>();
  /** lookup (HMAC of the normalised value) → token key. */
  readonly #byLookup = new Map<string, string>();
  /** token key → original value, for tokens resolved or issued in this process. */
  readonly #values = new Map<string, string>();
  /** token key → stored entry not decrypted yet. */
  readonly #sealed = new Map<string, VaultEntry>();
  readonly #types = new Set<string>();
  readonly #format: FormatChooser;
  #formatKeys: FormatKeys | undefined;
  /** Digits of an fpe token → its token key (the model may rewrite the separators). */
  readonly #fpeByDigits = new Map<string, string>();
  /** fpe token key → its entity type. */
  readonly #fpeTypes = new Map<string, string>();
  /** Stored tokens that are not placeholders (opaque, opaque-siv, fpe). */
  #formatTokenCount = 0;
  /** False for a deferred scope until its first `tokenize` has loaded the stored entries. */
  #loaded = true;
  /** Whether some request carried a non-placeholder format of its own (policy per span). */
  #perSpanFormats = false;
  readonly #knownTurns: boolean;
  readonly #keyCheckMs: number;
  /** What a known turn took from the lease's memory; set while the scope is `partial`. */
  #fromMemory: RememberedSession | undefined;
  #loading: Promise<void> | undefined;

  private constructor(options: PersistentScopeOptions) {
    this.tenant = options.tenant;
    this.session = options.session;
    this.#store = options.store;
    this.#keys = options.keys;
    this.#lease = options.lease;
    this.#renew = options.renew;
    this.#ttlMs = options.ttlSeconds === undefined ? undefined : Math.round(options.ttlSeconds * 1000);
    this.#now = options.now ?? Date.now;
    this.#format = options.format ?? PLACEHOLDER_ONLY;
    this.#knownTurns = options.knownTurns === true;
    this.#keyCheckMs = options.keyCheckMs ?? DEFAULT_KEY_CHECK_MS;
  }

  /**
   * Opens the scope and loads every unexpired entry it already has. With a lease, the load
   * checks the key (one store call either way); a shredded key is a Vault error with
   * `data.reason` `stale_data_key` (`isStaleDataKeyError`), after revoking the lease.
   */
  static async open(options: PersistentScopeOptions): Promise<PersistentTokenScope> {
    const scope = new PersistentTokenScope(options);
    const lease = options.lease;
    if (lease === undefined) {
      for (const entry of await options.store.listScope(options.tenant, options.session)) scope.#remember(entry);
      return scope;
    }
    const epoch = lease.sessions.epoch;
    const loaded = await options.store.putManyAndList(options.tenant, options.session, [], tokenKey, lease.generation);
    checkGeneration(lease, loaded.keyGeneration, scope.#now());
    for (const entry of loaded.others) scope.#remember(entry);
    lease.sessions.replace(options.session, loaded.others.map(unopened), [], epoch, scope.#now());
    return scope;
  }

  /**
   * Opens the scope without reading the store: the first `tokenize` (even of no values) loads
   * it, in the call that stores the request's values. Only for callers that tokenize before
   * they resolve, like the gateway's masked routes; until then the scope knows no token.
   */
  static deferred(options: PersistentScopeOptions): PersistentTokenScope {
    const scope = new PersistentTokenScope(options);
    scope.#loaded = false;
    return scope;
  }

  /**
   * Entries found so far that do not decrypt: values whose tenant data key was deleted
   * (crypto-shredding, see `Vault.forgetTenant`). Their tokens resolve to nothing and no
   * longer count in `size`. `checkReadable()` examines every entry at once.
   */
  get unreadable(): number {
    return this.#unreadable;
  }

  /** Tokens this scope can resolve (entries not yet found unreadable included). */
  get size(): number {
    if (this.#erased()) return 0;
    return this.#values.size + this.#sealed.size;
  }

  /** Whether the tenant's key was shredded while this scope was open (it then holds nothing). */
  get erased(): boolean {
    return this.#erased();
  }

  /** Decrypts every entry not decrypted yet; returns `unreadable`. */
  checkReadable(): number {
    for (const key of [...this.#sealed.keys()]) this.resolve(key);
    return this.#unreadable;
  }

  /**
   * True after a known turn was answered from the lease's memory, until `loadSession`: the scope
   * then knows every token the session had at this process's last load of it and every token
   * this process stored since, but not what other replicas stored meanwhile.
   */
  get partial(): boolean {
    return this.#fromMemory !== undefined;
  }

  /**
   * Whether `text` (the request as it is forwarded) holds a token-shaped string that this
   * `partial` scope does not resolve, but the whole session might: a placeholder key (`TYPE_N`,
   * in any bracket or case the rehydrator forgives), an opaque `VEIL_…` word, or, when the scope
   * may hold fpe tokens, a run of 6 or more digits. The caller then awaits `loadSession()` before
   * forwarding, so the answer (which may echo it) is rehydrated as from a loaded scope. Anything
   * merely token-shaped counts (`item_1`): a false alarm costs one store call, never a token.
   */
  needsLoad(text: string): boolean {
    if (this.#fromMemory === undefined || this.#erased()) return false;
    for (const match of text.matchAll(KEY_SHAPE)) {
      if (this.resolve(match[0].toUpperCase()) === undefined) return true;
    }
    if (/veil_/i.test(text)) {
      for (const match of text.matchAll(OPAQUE_WORDS)) {
        if (this.resolveOpaque(match[0]) === undefined) return true;
      }
    }
    if (this.#mayHoldFpe()) {
      for (const match of text.matchAll(DIGIT_RUN)) {
        const digits = match[0].replace(/\D/g, '');
        if (digits.length >= 6 && this.resolveFpeDigits(digits) === undefined) return true;
      }
    }
    return false;
  }

  /**
   * Makes a `partial` scope whole: ONE store call (checking the lease's key like any load) lists
   * the session, whose answer wins over what the scope took from memory and refreshes that
   * memory. Does nothing for a scope that is not partial; concurrent calls share the one call.
   */
  loadSession(): Promise<void> {
    if (this.#fromMemory === undefined) return Promise.resolve();
    if (this.#erased()) return Promise.reject(staleDataKeyError());
    this.#loading ??= this.#loadRest().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  tokenize(requests: readonly TokenRequest[]): string[] | Promise<string[]> {
    if (this.#erased()) throw staleDataKeyError();
    if (!this.#loaded && this.#knownTurns) {
      const remembered = this.#knownTurn(requests);
      if (remembered !== undefined) return remembered;
    }
    const known = requests.map(
      (request) => this.#unstored(request) ?? this.#byIdentity.get(identity(request.type, request.normalized)),
    );
    // The common case on a conversation's later turns: everything is known, no I/O at all.
    if (this.#loaded && known.every((token) => token !== undefined)) return known as string[];
    return this.#storeNew(requests, known);
  }

  resolve(key: string): string | undefined {
    if (this.#erased()) return undefined;
    const upper = key.toUpperCase();
    const value = this.#values.get(upper);
    if (value !== undefined) return value;
    const entry = this.#sealed.get(upper);
    if (entry === undefined) return undefined;
    this.#sealed.delete(upper);
    const opened = tryDecryptValue(this.#keys, this.#context(entry.type), entry.ciphertext);
    if (opened === undefined) {
      this.#unreadable += 1;
      return undefined;
    }
    this.#values.set(upper, opened);
    this.#lease?.sessions.learnValue(this.session, entry, opened);
    return opened;
  }

  issuedTypes(): ReadonlySet<string> {
    return this.#types;
  }

  hasFormatTokens(): boolean {
    return this.#formatTokenCount > 0 || this.#usesSiv();
  }

  resolveOpaque(token: string): string | undefined {
    // A SIV token of this tenant opens with the key alone, also when it was issued in another
    // session (that is what the format is for); any other token must have been issued here.
    if (this.#erased()) return undefined;
    return this.resolve(token) ?? openSivToken(this.#keysForFormats(), token);
  }

  resolveFpeDigits(digits: string): string | undefined {
    if (this.#erased()) return undefined;
    const key = this.#fpeByDigits.get(digits);
    return key === undefined ? undefined : this.resolve(key);
  }

  fpeTypeOf(digits: string): string | undefined {
    const key = this.#fpeByDigits.get(digits);
    return key === undefined ? undefined : this.#fpeTypes.get(key);
  }

  /** The span's own format (chosen by policy), else the scope's per-type default. */
  #formatOf(request: TokenRequest): TokenFormatName {
    if (request.format === undefined) return this.#format(request.type);
    if (request.format !== 'placeholder') this.#perSpanFormats = true;
    return request.format;
  }

  /** redact and hash tokens: computed, never stored. */
  #unstored(request: TokenRequest): string | undefined {
    const format = this.#formatOf(request);
    if (format === 'redact') return redactToken(request.type);
    if (format === 'hash') return hashToken(this.#keysForFormats(), request.type, request.normalized);
    return undefined;
  }

  /** The token of a stored format that derives it from the value; undefined for placeholders. */
  #presetToken(format: TokenFormatName, request: TokenRequest): string | undefined {
    switch (format) {
      case 'opaque':
        return opaqueToken(this.#keysForFormats(), request.type, request.normalized);
      case 'opaque-siv':
        return sivToken(this.#keysForFormats(), request.type, request.value);
      case 'fpe':
        return fpeApplies(request.value) ? fpeEncrypt(this.#keysForFormats(), request.type, request.value) : undefined;
      default:
        return undefined;
    }
  }

  #usesSiv(): boolean {
    // Without knowing every type, assume SIV is possible when the chooser is not the default
    // or a request chose a format of its own.
    return this.#format !== PLACEHOLDER_ONLY || this.#perSpanFormats;
  }

  #keysForFormats(): FormatKeys {
    this.#formatKeys ??= this.#lease?.formatKeys ?? deriveFormatKeys(this.#keys);
    return this.#formatKeys;
  }

  /** True once the lease is revoked; the first call also drops every value and token held. */
  #erased(): boolean {
    if (this.#lease?.revoked !== true) return false;
    if (this.#values.size + this.#sealed.size + this.#byLookup.size + this.#byIdentity.size > 0 || this.#formatKeys !== undefined) {
      this.#forgetAll();
    }
    return true;
  }

  #forgetAll(): void {
    this.#values.clear();
    this.#sealed.clear();
    this.#byLookup.clear();
    this.#byIdentity.clear();
    this.#fpeByDigits.clear();
    this.#fpeTypes.clear();
    this.#types.clear();
    this.#formatKeys = undefined;
    this.#formatTokenCount = 0;
  }

  async #storeNew(requests: readonly TokenRequest[], known: readonly (string | undefined)[]): Promise<string[]> {
    try {
      return await this.#storeOnce(requests, known);
    } catch (error) {
      const renew = this.#renew;
      // Only a deferred scope that loaded nothing can start over: nothing it holds came from
      // the shredded key, and what it computed (lookups, hash tokens) is computed again.
      if (!isStaleDataKeyError(error) || renew === undefined || this.#loaded) throw error;
      this.#renew = undefined;
      const lease = await renew();
      this.#forgetAll();
      this.#lease = lease;
      this.#keys = lease.keys;
      return this.tokenize(requests);
    }
  }

  async #storeOnce(requests: readonly TokenRequest[], known: readonly (string | undefined)[]): Promise<string[]> {
    const expiresAt = this.#ttlMs === undefined ? null : this.#now() + this.#ttlMs;
    const fresh: NewVaultEntry[] = [];
    const values: string[] = [];
    const pending = new Set<string>();
    // A request repeats its values (a resent history, a name on every line): one HMAC each.
    const lookupByIdentity = new Map<string, string>();
    // Values this process already sent for this session under the lease's key: their lookup and
    // ciphertext are reused (no HMAC, no encryption); the store still answers with the token.
    const memo = this.#lease?.memo;
    const lookups = requests.map((request, index) => {
      if (known[index] !== undefined) return undefined;
      const id = identity(request.type, request.normalized);
      let lookup = lookupByIdentity.get(id);
      // A value's later spans find its lookup above; only its first span asks the memo, and
      // that is the span whose value is stored.
      let memoised: MemoisedValue | undefined;
      if (lookup === undefined) {
        memoised = memo?.get(this.session, request.type, request.normalized, request.value);
        lookup = memoised?.lookup ?? lookupOf(this.#keys, this.session, request.type, request.normalized);
        lookupByIdentity.set(id, lookup);
      }
      const token = this.#byLookup.get(lookup);
      if (token !== undefined) {
        // Loaded from the store under another surface form; remember this one too.
        this.#byIdentity.set(id, token);
      } else if (!pending.has(lookup)) {
        pending.add(lookup);
        values.push(request.value);
        const preset = this.#presetToken(this.#formatOf(request), request);
        const ciphertext = memoised?.ciphertext ?? encryptValue(this.#keys, this.#context(request.type), request.value);
        if (memoised === undefined) memo?.set(this.session, request.type, request.normalized, request.value, { lookup, ciphertext });
        fresh.push({
          tenant: this.tenant,
          scope: this.session,
          type: request.type,
          lookup,
          ciphertext,
          expiresAt,
          ...(preset === undefined ? {} : { token: preset }),
        });
      }
      return lookup;
    });
    if (fresh.length > 0 || !this.#loaded) {
      const memory = this.#lease?.sessions;
      const epoch = memory?.epoch ?? 0;
      const { stored, others } = await this.#put(fresh);
      const remembered: RememberedEntry[] = [];
      stored.forEach((entry, index) => {
        const sent = fresh[index];
        // Our own ciphertext back means we created the entry and know its value. Anything else
        // was stored first by someone else, possibly from another surface form (`Maria@…` vs
        // `maria@…`), and that stored value is what every process resolves the token to.
        const ours = sent !== undefined && sameBytes(entry.ciphertext, sent.ciphertext);
        this.#remember(entry, ours ? values[index] : undefined);
        remembered.push({ entry, value: ours ? values[index] : undefined });
      });
      if (memory !== undefined) {
        const identities = requests.flatMap((request, index): [string, string][] => {
          const lookup = lookups[index];
          return lookup === undefined ? [] : [[identity(request.type, request.normalized), lookup]];
        });
        if (others === undefined) {
          for (const item of remembered) memory.add(this.session, item.entry, item.value);
          for (const [id, lookup] of identities) memory.learnIdentity(this.session, id, lookup);
        } else {
          // The store listed the whole session: it is what this process remembers of it now.
          memory.replace(this.session, [...others.map(unopened), ...remembered], identities, epoch, this.#now());
        }
      }
    }
    return requests.map((request, index) => {
      const lookup = lookups[index];
      const token = known[index] ?? (lookup === undefined ? undefined : this.#byLookup.get(lookup));
      if (token === undefined) {
        throw new VeilError(VeilErrorCode.Vault, 'the vault store returned no entry for a value', {
          data: { type: request.type },
        });
      }
      this.#byIdentity.set(identity(request.type, request.normalized), token);
      return token;
    });
  }

  /**
   * `putMany`; for a deferred scope not loaded yet, `putManyAndList`, which loads it as well
   * (then `others` is the rest of the session).
   */
  async #put(fresh: readonly NewVaultEntry[]): Promise<{ stored: VaultEntry[]; others?: VaultEntry[] }> {
    if (this.#loaded) return { stored: await this.#store.putMany(fresh, tokenKey) };
    const lease = this.#lease;
    const { stored, others, keyGeneration } = await this.#store.putManyAndList(this.tenant, this.session, fresh, tokenKey, lease?.generation);
    if (lease !== undefined) checkGeneration(lease, keyGeneration, this.#now());
    for (const entry of others) this.#remember(entry);
    this.#loaded = true;
    return { stored, others };
  }

  /**
   * A known turn: every request is a one-way format or a value whose live entry the lease's
   * memory holds for this session, from a load younger than its max age, and the lease's key was
   * confirmed by the store less than `keyCheckMs` ago. The scope then takes every live entry the
   * memory holds and answers with no store call; it is `partial` until `loadSession`.
   * Undefined: not a known turn (the caller goes to the store as usual).
   */
  #knownTurn(requests: readonly TokenRequest[]): string[] | undefined {
    const lease = this.#lease;
    if (lease === undefined || lease.revoked) return undefined;
    const now = this.#now();
    if (!(now - lease.checkedAt < this.#keyCheckMs)) return undefined;
    const remembered = lease.sessions.get(this.session);
    if (remembered === undefined) return undefined;
    const tokens: string[] = [];
    const identities: [string, string][] = [];
    for (const request of requests) {
      const unstored = this.#unstored(request);
      if (unstored !== undefined) {
        tokens.push(unstored);
        continue;
      }
      const id = identity(request.type, request.normalized);
      let lookup = remembered.lookupByIdentity.get(id);
      if (lookup === undefined) {
        // A surface form this process has not sent yet, of a value the load may have listed
        // (stored by another replica, or as `Maria@…` for `maria@…`): its lookup tells.
        lookup =
          lease.memo.get(this.session, request.type, request.normalized, request.value)?.lookup ??
          lookupOf(this.#keys, this.session, request.type, request.normalized);
      }
      const held = remembered.byLookup.get(lookup);
      if (held === undefined || isExpired(held.entry, now)) return undefined;
      identities.push([id, lookup]);
      tokens.push(held.entry.token);
    }
    for (const held of remembered.byLookup.values()) {
      if (!isExpired(held.entry, now)) this.#remember(held.entry, held.value);
    }
    for (const [id, lookup] of identities) {
      remembered.lookupByIdentity.set(id, lookup);
      const token = remembered.byLookup.get(lookup)?.entry.token;
      if (token !== undefined) this.#byIdentity.set(id, token);
    }
    this.#loaded = true;
    this.#fromMemory = remembered;
    return tokens;
  }

  /** `loadSession`'s store call. */
  async #loadRest(): Promise<void> {
    const lease = this.#lease;
    const fromMemory = this.#fromMemory;
    if (lease === undefined || fromMemory === undefined) return;
    const epoch = lease.sessions.epoch;
    const { others, keyGeneration } = await this.#store.putManyAndList(this.tenant, this.session, [], tokenKey, lease.generation);
    checkGeneration(lease, keyGeneration, this.#now());
    // The store's answer wins. What only the memory knew (an entry deleted in the store since,
    // within the memory's max age) stays resolvable for this request, which may have sent it.
    const known = new Map<string, RememberedEntry>();
    for (const held of fromMemory.byLookup.values()) known.set(held.entry.lookup, held);
    this.#forgetAll();
    const claimed = new Set<string>();
    const listed: RememberedEntry[] = [];
    for (const entry of others) {
      const held = known.get(entry.lookup);
      const value = held !== undefined && held.entry.token === entry.token ? held.value : undefined;
      this.#remember(entry, value);
      listed.push({ entry, value });
      claimed.add(entry.token.toUpperCase());
    }
    for (const held of known.values()) {
      if (!claimed.has(held.entry.token.toUpperCase()) && !this.#byLookup.has(held.entry.lookup)) this.#remember(held.entry, held.value);
    }
    this.#fromMemory = undefined;
    lease.sessions.replace(this.session, listed, fromMemory.lookupByIdentity, epoch, this.#now());
  }

  /** Whether this scope may hold fpe tokens (the default chooser never picks fpe). */
  #mayHoldFpe(): boolean {
    return this.#fpeByDigits.size > 0 || this.#usesSiv();
  }

  #remember(entry: VaultEntry, value?: string): void {
    this.#byLookup.set(entry.lookup, entry.token);
    this.#types.add(entry.type);
    // Keys are matched upper-case (`resolve` is forgiving about the model's casing).
    const key = entry.token.toUpperCase();
    if (this.#values.has(key)) return;
    if (!this.#sealed.has(key) && typeOfTokenKey(entry.token) === undefined) {
      this.#formatTokenCount += 1;
      if (FPE_SHAPE.test(entry.token)) {
        this.#fpeByDigits.set(entry.token.replace(/\D/g, ''), key);
        this.#fpeTypes.set(key, entry.type);
      }
    }
    if (value === undefined) this.#sealed.set(key, entry);
    else {
      this.#values.set(key, value);
      this.#sealed.delete(key);
    }
  }

  #context(type: string): { tenant: string; scope: string; type: string } {
    return { tenant: this.tenant, scope: this.session, type };
  }
}

/**
 * The store found another data key than the lease's (or none): the lease's key was shredded.
 * Otherwise the store has just confirmed the lease's key (what known turns rely on, for
 * `keyCheckMs`).
 */
function checkGeneration(lease: TenantKeyLease, found: string | null, now: number): void {
  if (found === lease.generation && !lease.revoked) {
    lease.checkedAt = now;
    return;
  }
  lease.revoke();
  throw staleDataKeyError();
}

/** A listed entry whose value this process has not opened. */
function unopened(entry: VaultEntry): RememberedEntry {
  return { entry, value: undefined };
}

/** A placeholder key as the rehydrator forgives it (any case, `person_1`), on word boundaries. */
const KEY_SHAPE = /(?<![A-Za-z0-9_])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z][A-Za-z0-9]*)*_\d{1,7}(?![A-Za-z0-9_])/g;
/** Opaque and SIV token words. */
const OPAQUE_WORDS = new RegExp(OPAQUE_TOKEN.source, 'gi');
/** Digits and the separators an fpe token may be written with. */
const DIGIT_RUN = /\d[\d\s\-.()+/]*\d/g;

/** What an fpe token looks like: digits and the separators they were written with. */
const FPE_SHAPE = /^[\d\s\-.()+/]+$/;

function identity(type: string, normalized: string): string {
  return `${type}\u0000${normalized}`;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

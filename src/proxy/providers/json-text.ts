/**
 * Helpers shared by adapters: collecting outgoing texts (tool-call arguments are JSON: their
 * string leaves are masked and the document re-serialised) and narrowing untyped JSON.
 * @module
 */
import { VeilError, VeilErrorCode } from '../../core/errors.js';
import { badField } from '../errors.js';
import type { Extraction, TextSlot } from './provider-adapter.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class TextCollector implements Extraction {
  readonly texts: string[] = [];
  readonly slots: TextSlot[] = [];
  readonly finalizers: (() => void)[] = [];
  unscanned = 0;

  /** Adds `container[key]` when it is a non-empty string. */
  add(container: JsonObject | unknown[], key: string | number, path: string): void {
    const value = (container as Record<string | number, unknown>)[key];
    if (typeof value === 'string' && value.length > 0) {
      this.texts.push(value);
      this.slots.push({ path, container, key });
    }
  }

  /** Like `add`, but the field must be a string when present. */
  optionalString(container: JsonObject, key: string, path: string): void {
    const value = container[key];
    if (value === undefined || value === null) return;
    if (typeof value !== 'string') throw badField(path, 'string');
    this.add(container, key, path);
  }

  /**
   * A JSON document in a string (tool-call arguments): string leaves are masked one by one and
   * the document is re-serialised. Text that is not JSON is masked as plain text.
   */
  addJsonString(container: JsonObject, key: string, path: string): void {
    const raw = container[key];
    if (raw === undefined || raw === null) return;
    if (typeof raw !== 'string') throw badField(path, 'string');
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.add(container, key, path);
      return;
    }
    if (typeof parsed === 'string') {
      this.add(container, key, path);
      return;
    }
    const before = this.texts.length;
    this.addLeaves(parsed, path);
    if (this.texts.length === before) return;
    const root = parsed;
    this.finalizers.push(() => {
      container[key] = JSON.stringify(root);
    });
  }

  /** Every string leaf of a parsed JSON value (tool inputs sent as objects), masked in place. */
  addLeaves(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        if (typeof item === 'string') this.add(value, index, `${path}[${index}]`);
        else if (typeof item === 'object' && item !== null) this.addLeaves(item, `${path}[${index}]`);
      }
    } else if (isObject(value)) {
      for (const name of Object.keys(value)) {
        const item = value[name];
        if (typeof item === 'string') this.add(value, name, `${path}.${name}`);
        else if (typeof item === 'object' && item !== null) this.addLeaves(item, `${path}.${name}`);
      }
    }
  }
}

/** Rehydrates every string leaf of a parsed JSON value in place; returns the (possibly new) root. */
export function rehydrateLeaves(value: unknown, text: (value: string) => string): unknown {
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = rehydrateLeaves(value[index], text);
  } else if (isObject(value)) {
    for (const name of Object.keys(value)) value[name] = rehydrateLeaves(value[name], text);
  }
  return value;
}

export function optionalBoolean(body: JsonObject, key: string): boolean {
  const value = body[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw badField(key, 'boolean');
  return value;
}

/** The JSON object of an upstream stream event; an upstream fault (502) when it is not one. */
export function parseStreamEvent(data: string): JsonObject {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a stream event that is not JSON.');
  }
  if (!isObject(payload)) throw new VeilError(VeilErrorCode.Upstream, 'The upstream sent a stream event that is not a JSON object.');
  return payload;
}

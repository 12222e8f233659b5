// A registry from component `type` to its restorer, so a pipeline's JSON can rebuild any part.
// Numbers that JSON cannot hold exactly (NaN, ±Infinity) and float64 arrays are encoded so that
// a restore is bit-identical.
import type { SerializedComponent } from './estimator.js';
import { isPlainObject, ModelFormatError } from './restore-check.js';

type Restorer = (json: SerializedComponent) => unknown;
const restorers = new Map<string, Restorer>();

export function registerComponent(type: string, restore: Restorer): void {
  restorers.set(type, restore);
}

/**
 * Rebuilds a component from its JSON. Anything wrong in it (shape, type, index, value) is refused
 * with a ModelFormatError whose message names the path to the field: `where` is this component's
 * place in its parent (e.g. `steps[1] "model"`), prefixed to the errors of everything inside it.
 */
export function restoreComponent<T = unknown>(json: unknown, where = ''): T {
  if (!isPlainObject(json) || typeof json.type !== 'string') {
    throw new ModelFormatError('must be an object with a string "type"', where ? [where] : []);
  }
  const label = where ? `${where} (${json.type})` : json.type;
  const restore = restorers.get(json.type);
  if (!restore)
    throw new ModelFormatError(
      `unknown model component type "${json.type}" (known: ${[...restorers.keys()].join(', ')})`,
      [label],
    );
  if (typeof json.version !== 'number') throw new ModelFormatError('version must be a number', [label]);
  if (!isPlainObject(json.params)) throw new ModelFormatError('params must be an object', [label]);
  if (json.state !== null && !isPlainObject(json.state))
    throw new ModelFormatError('state must be an object or null', [label]);
  try {
    return restore(json as unknown as SerializedComponent) as T;
  } catch (e) {
    // every failure here comes from the JSON (bad params included), so all are format errors
    if (e instanceof ModelFormatError) throw e.within(label);
    throw new ModelFormatError(e instanceof Error ? e.message : String(e), [label]);
  }
}

/** Float64Array → base64 of its little-endian bytes (exact, compact). */
export function encodeFloat64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeFloat64(s: string): Float64Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Float64Array(buf.length / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export function encodeInt32(a: Int32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function decodeInt32(s: string): Int32Array {
  const buf = Buffer.from(s, 'base64');
  const out = new Int32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** A number as JSON: finite numbers as is (JSON round-trips float64 exactly), others as strings. */
export function encodeNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

export function decodeNumber(x: number | string): number {
  return typeof x === 'number' ? x : Number(x);
}

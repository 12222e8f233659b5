// A registry from component `type` to its restorer, so a pipeline's JSON can rebuild any part.
// Numbers that JSON cannot hold exactly (NaN, ±Infinity) and float64 arrays are encoded so that
// a restore is bit-identical.
import type { SerializedComponent } from './estimator.js';

type Restorer = (json: SerializedComponent) => unknown;
const restorers = new Map<string, Restorer>();

export function registerComponent(type: string, restore: Restorer): void {
  restorers.set(type, restore);
}

export function restoreComponent<T = unknown>(json: SerializedComponent): T {
  const restore = restorers.get(json.type);
  if (!restore) throw new Error(`unknown model component type "${json.type}" (known: ${[...restorers.keys()].join(', ')})`);
  return restore(json) as T;
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

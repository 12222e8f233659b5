// int64 values as MLflow's protos carry them (metric steps and timestamps): a JS number while it is
// exact (|v| <= 2^53 - 1, the common case, kept fast), a bigint beyond that, never a rounded number.

export type Int64 = number | bigint;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A safe number stays a number; anything else exact becomes a bigint. */
export function int64FromBigInt(v: bigint): Int64 {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** True for an exact number or a bigint within [-2^63, 2^63 - 1]. */
export function isInt64(v: unknown): v is Int64 {
  if (typeof v === 'number') return Number.isSafeInteger(v);
  return typeof v === 'bigint' && v >= INT64_MIN && v <= INT64_MAX;
}

/**
 * Reads an integral number, bigint or decimal string as an int64; null when it is not one or lies
 * outside [-2^63, 2^63 - 1]. A number beyond 2^53 is taken as the exact value it holds.
 */
export function decimalInt64(value: number | bigint | string): Int64 | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  let big: bigint;
  if (typeof value === 'bigint') {
    big = value;
  } else if (typeof value === 'number') {
    if (!Number.isInteger(value)) return null;
    big = BigInt(value);
  } else {
    if (!/^-?\d{1,19}$/.test(value.replace(/^(-?)0+(?=\d)/, '$1'))) return null;
    big = BigInt(value);
  }
  return big < INT64_MIN || big > INT64_MAX ? null : int64FromBigInt(big);
}

/** An int64 column as a driver returns it (dialect.exactInt64): a number, a bigint or decimal text. */
export function readInt64(value: unknown): Int64 {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return int64FromBigInt(value);
  return int64FromBigInt(BigInt(String(value)));
}

/** An int64 as a JSON number, exact at any size (JSON.stringify cannot write a bigint). */
export function int64Json(v: Int64): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}

/** Orders two int64 values (for sorts over steps and timestamps of either representation). */
export function compareInt64(a: Int64, b: Int64): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

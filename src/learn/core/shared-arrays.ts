// Typed arrays that worker threads can read without a copy: allocated on a SharedArrayBuffer when
// asked to, on an ordinary ArrayBuffer otherwise, so one code path serves both.

type TypedArray = Int32Array | Float64Array | Float32Array | Uint8Array | Uint16Array;
type TypedArrayCtor<T extends TypedArray> = { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number };

/** A zeroed array of `length` elements, in shared memory when `shared`. */
export function allocArray<T extends TypedArray>(Ctor: TypedArrayCtor<T>, length: number, shared: boolean): T {
  const bytes = Math.max(length, 0) * Ctor.BYTES_PER_ELEMENT;
  return new Ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** A copy of `a` in shared memory. */
export function sharedCopy<T extends TypedArray>(a: T): T {
  const b = allocArray(a.constructor as TypedArrayCtor<T>, a.length, true);
  b.set(a as ArrayLike<number>);
  return b;
}

// scikit-learn's tree randomness, reproduced so an unrandomised tree draws features in the same
// order as sklearn's DecisionTreeClassifier(random_state=seed): the splitter's state is
// numpy.random.RandomState(seed).randint(0, 2**31 - 1) (legacy MT19937 seeding, masked
// rejection sampling), then every draw is sklearn's `our_rand_r` xorshift (sklearn/tree/_utils.pyx).

const RAND_R_MAX = 0x7fffffff;

/** numpy.random.RandomState(seed).randint(0, 2**31 - 1) for a 32-bit unsigned seed. */
export function numpyRandint31(seed: number): number {
  const mt = new Uint32Array(624);
  mt[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
    // 1812433253 * prev + i, modulo 2^32, without losing precision
    mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
  }
  let pos = 624;
  const next32 = (): number => {
    if (pos >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = (mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
      }
      pos = 0;
    }
    let y = mt[pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
  const rng = RAND_R_MAX - 1; // inclusive upper bound of randint(0, RAND_R_MAX)
  let v: number;
  do v = next32() & 0x7fffffff;
  while (v > rng);
  return v;
}

/** sklearn's `rand_int(low, high, &state)` stream over `our_rand_r`. */
export class SklearnRandR {
  private state: number;

  constructor(state: number) {
    this.state = state >>> 0;
  }

  static fromSeed(seed: number): SklearnRandR {
    return new SklearnRandR(numpyRandint31(seed));
  }

  next(): number {
    let s = this.state;
    if (s === 0) s = 1;
    s = (s ^ (s << 13)) >>> 0;
    s = (s ^ (s >>> 17)) >>> 0;
    s = (s ^ (s << 5)) >>> 0;
    this.state = s;
    return s % (RAND_R_MAX + 1);
  }

  /** Uniform-ish integer in [low, high), exactly as sklearn draws it. */
  int(low: number, high: number): number {
    return low + (this.next() % (high - low));
  }
}

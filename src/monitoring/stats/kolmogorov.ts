// The distribution of the two-sided one-sample Kolmogorov statistic D_n (SciPy's `kstwo`), which
// SciPy's ks_2samp uses for its asymptotic p-value: the regime split follows Simard & L'Ecuyer
// (2011), as scipy/stats/_ksstats.py does — exact Ruben–Gambino ends, 2·Smirnov in the far tail,
// the Durbin matrix (Marsaglia–Tsang–Wang) where it is cheap, Pelz–Good elsewhere.

const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT2PI = Math.sqrt(2 * Math.PI);
const MIN_LOG = -708;
const SCALE_EXP = 128;
const SCALE = 2 ** SCALE_EXP;

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** One-sided Smirnov survival P(D⁺_n ≥ x), exact (Birnbaum–Tingey sum in log space). */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  let logBinom = 0;
  let sum = 0;
  // terms are all positive; sum them relative to the largest to stay in range
  const logs: number[] = [];
  let maxLog = -Infinity;
  for (let j = 0; j <= last; j++) {
    if (j > 0) logBinom += Math.log((n - j + 1) / j);
    const a = 1 - x - j / n;
    if (a <= 0 && n - j > 0) break;
    const term = logBinom + (n - j) * Math.log(a > 0 ? a : 1) + (j - 1) * Math.log(x + j / n);
    logs.push(term);
    if (term > maxLog) maxLog = term;
  }
  for (const t of logs) sum += Math.exp(t - maxLog);
  return clip(x * sum * Math.exp(maxLog));
}

function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) out[i * m + j] += aik * b[k * m + j];
    }
  }
  return out;
}

/** P(D_n ≤ d) exactly, by the Durbin matrix: the (k,k) entry of n!/nⁿ · Hⁿ, with d = (k − h)/n. */
export function kolmogorovCdfDurbin(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  v[m - 1] = (1 + (Math.max(2 * h - 1, 0) ** m - 2 * h ** m)) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let col = 1; col < m; col++) {
    for (let row = col - 1; row < m; row++) H[row * m + col] = w[row - col + 1];
  }
  for (let row = 0; row < m; row++) H[row * m] = v[row];
  for (let col = 0; col < m; col++) H[(m - 1) * m + col] = v[m - 1 - col];

  let P: Float64Array = new Float64Array(m * m);
  for (let i = 0; i < m; i++) P[i * m + i] = 1;
  let pExp = 0;
  let hExp = 0;
  for (let e = n; e > 0; e = Math.floor(e / 2)) {
    if (e % 2) {
      P = matmul(P, H, m);
      pExp += hExp;
    }
    H = matmul(H, H, m);
    hExp *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)]) > SCALE) {
      for (let i = 0; i < H.length; i++) H[i] /= SCALE;
      hExp += SCALE_EXP;
    }
  }
  let p = P[(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      pExp -= SCALE_EXP;
    }
  }
  return clip(p * 2 ** pExp);
}

/** Pelz–Good asymptotic series for P(D_n ≤ x) (four terms in 1/√n). */
export function kolmogorovCdfPelzGood(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z4 * z4;
  const K = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  // Horner over the odd integers m = 2k − 1: Σ c(m) q^(m²)
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = q ** (8 * k);
    K[0] = K[0] * qp + 1;
    K[1] = K[1] * qp + (k1a + k1b * m2);
    K[2] = K[2] * qp + (k2a + k2b * m2 + k2c * m4);
    K[3] = K[3] * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const div = [z, 6 * z4, 72 * z4 * z2 * z, 6480 * z4 * z6];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT2PI) / div[i];
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2] += (k2extra * PI2 * SQRT2PI) / (-36 * z2 * z);
  K[3] += (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += K[i] / n ** (i / 2);
  return sum;
}

/** log(n!/nⁿ) by Stirling's series with n·log n removed up front. */
function logFactorialOverPower(n: number): number {
  // B_2j / (2j(2j−1)) for j = 8 … 1
  const c = [-3617 / 122400, 1 / 156, -691 / 360360, 1 / 1188, -1 / 1680, 1 / 1260, -1 / 360, 1 / 12];
  const rn = 1 / n;
  let poly = 0;
  for (const ci of c) poly = poly * (rn / n) + ci;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}

/** P(D_n ≥ x): SciPy's kstwo.sf(x, n), the p-value of a two-sided KS statistic x with n observations. */
export function kolmogorovSf(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= (i / n) * (2 * t - 1);
    } else cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    // SciPy takes Pomeranz's recursion for 0.754693 < n·x² ≤ 4; the Durbin matrix is exact there too.
    if (nx2 <= 4) return clip(1 - kolmogorovCdfDurbin(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? kolmogorovCdfDurbin(n, x) : kolmogorovCdfPelzGood(n, x);
  return clip(1 - cdf);
}

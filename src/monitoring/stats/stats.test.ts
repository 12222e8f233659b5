// Every drift statistic against SciPy on the same samples (Debian's python3-scipy), ties and small
// samples included; the Python side follows Evidently's stattest code with numpy/scipy calls.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../learn/core/random.js';
import { runPython } from '../../../test/support/python.js';
import { lacks } from '../../../test/support/requirements.js';
import { binnedShares, jensenShannonDistance, populationStabilityIndex } from './binned-distances.js';
import { chiSquareTest, type CodedSample, proportionsZTest, type Category } from './categorical-tests.js';
import { kolmogorovSf } from './kolmogorov.js';
import { ks2Samp } from './ks-test.js';
import { chi2Sf, normalCdf } from './special-functions.js';
import { wassersteinDistance, wassersteinDistanceNorm } from './wasserstein.js';

function normals(rng: Rng, n: number, mean = 0, sd = 1): number[] {
  return Array.from({ length: n }, () => mean + sd * rng.normal());
}
function ints(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + rng.int(hi - lo + 1));
}
function picks(rng: Rng, n: number, cats: string[], weights: number[]): string[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return Array.from({ length: n }, () => {
    let u = rng.random() * total;
    for (let k = 0; k < cats.length; k++) {
      u -= weights[k];
      if (u < 0) return cats[k];
    }
    return cats[cats.length - 1];
  });
}

/** |a − b| ≤ rel·|b| (or both exactly 0). */
function expectClose(actual: number, expected: number, rel: number, label: string): void {
  if (!Number.isFinite(expected)) {
    expect(actual, label).toBe(expected);
    return;
  }
  if (expected === 0) {
    expect(Math.abs(actual), label).toBeLessThanOrEqual(1e-300);
    return;
  }
  expect(Math.abs(actual - expected) / Math.abs(expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    rel,
  );
}

const rng = new Rng(20261207);
const numericPairs: { name: string; ref: number[]; cur: number[] }[] = [
  { name: 'tiny 5 vs 7', ref: normals(rng, 5), cur: normals(rng, 7, 0.8) },
  { name: 'equal sizes 40', ref: normals(rng, 40), cur: normals(rng, 40, 0.6) },
  { name: 'ties 30 vs 45', ref: ints(rng, 30, 0, 6), cur: ints(rng, 45, 1, 7) },
  { name: 'ties equal 25', ref: ints(rng, 25, 0, 3), cur: ints(rng, 25, 0, 3) },
  { name: 'identical', ref: [1, 2, 3, 4, 5], cur: [1, 2, 3, 4, 5] },
  { name: 'no shift 300 vs 1000', ref: normals(rng, 300, 50, 9), cur: normals(rng, 1000, 50, 9) },
  { name: 'shift 736 vs 200', ref: normals(rng, 736, 54, 9), cur: normals(rng, 200, 64, 9) },
  { name: 'disjoint 60 vs 90', ref: normals(rng, 60), cur: normals(rng, 90, 50) },
  { name: 'ages 700 vs 1000', ref: ints(rng, 700, 28, 77), cur: ints(rng, 1000, 28, 77) },
  { name: 'exact limit 10000 vs 37', ref: normals(rng, 10_000), cur: normals(rng, 37, 0.3) },
];
const asympPairs: { name: string; ref: number[]; cur: number[] }[] = [
  { name: 'asymp no shift', ref: normals(rng, 12_000), cur: normals(rng, 700) },
  { name: 'asymp small shift', ref: normals(rng, 12_000), cur: normals(rng, 700, 0.1) },
  { name: 'asymp shift', ref: normals(rng, 12_000), cur: normals(rng, 700, 0.5) },
  { name: 'asymp n<=140', ref: normals(rng, 15_000), cur: normals(rng, 100, 0.2) },
  { name: 'asymp n<=140 far tail', ref: normals(rng, 15_000), cur: normals(rng, 100, 1.5) },
  { name: 'asymp large both', ref: normals(rng, 11_000), cur: normals(rng, 20_000, 0.02) },
];

const categoricalPairs: { name: string; ref: Category[]; cur: Category[] }[] = [
  {
    name: 'three categories',
    ref: picks(rng, 300, ['a', 'b', 'c'], [5, 3, 2]),
    cur: picks(rng, 80, ['a', 'b', 'c'], [5, 3, 2]),
  },
  {
    name: 'shifted',
    ref: picks(rng, 500, ['x', 'y', 'z', 'w'], [4, 3, 2, 1]),
    cur: picks(rng, 200, ['x', 'y', 'z', 'w'], [1, 2, 3, 4]),
  },
  { name: 'small', ref: ['a', 'b', 'b', 'c', 'c', 'c'], cur: ['a', 'a', 'b', 'c'] },
  {
    name: 'new category',
    ref: picks(rng, 100, ['a', 'b', 'c'], [1, 1, 1]),
    cur: [...picks(rng, 40, ['a', 'b'], [1, 1]), 'd'],
  },
  { name: 'numeric codes', ref: ints(rng, 250, 0, 3), cur: ints(rng, 120, 0, 3) },
];
const binaryPairs: { name: string; ref: Category[]; cur: Category[] }[] = [
  {
    name: 'sex balanced',
    ref: picks(rng, 700, ['Female', 'Male'], [1, 3]),
    cur: picks(rng, 150, ['Female', 'Male'], [1, 3]),
  },
  {
    name: 'sex shifted',
    ref: picks(rng, 700, ['Female', 'Male'], [1, 3]),
    cur: picks(rng, 150, ['Female', 'Male'], [1, 1]),
  },
  { name: 'booleans as 0/1', ref: ints(rng, 40, 0, 1), cur: ints(rng, 9, 0, 1) },
  { name: 'one value each, same', ref: ['a', 'a'], cur: ['a'] },
  { name: 'one value in the reference', ref: ['a', 'a', 'a'], cur: ['a', 'b'] },
];

/**
 * Both samples as codes over one dictionary, as `cairn monitor` passes them: the dictionary in an order
 * other than first-seen and with a category neither sample holds, so a bincount that ignored first-seen
 * order or kept empty categories would change the bins and the statistics.
 */
function coded(ref: Category[], cur: Category[]): { ref: CodedSample; cur: CodedSample } {
  const categories: Category[] = ['never seen', ...new Set([...ref, ...cur])].reverse();
  const index = new Map(categories.map((c, k) => [c, k]));
  const encode = (xs: Category[]) => Int32Array.from(xs, (x) => index.get(x)!);
  return { ref: { codes: encode(ref), categories }, cur: { codes: encode(cur), categories } };
}

const SCIPY_SCRIPT = `
import json, sys
import numpy as np
from scipy import stats
from scipy.spatial import distance
from scipy.special import gammaincc
inp = json.load(sys.stdin)
def binned(ref, cur, numeric):
    ref = np.asarray(ref, dtype=object if not numeric else float)
    cur = np.asarray(cur, dtype=object if not numeric else float)
    if numeric and len(set(ref.tolist())) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = list(set(ref.tolist()) | set(cur.tolist()))
        r = np.array([ref.tolist().count(k) / len(ref) for k in keys])
        c = np.array([cur.tolist().count(k) / len(cur) for k in keys])
    for a in (r, c):
        m = min(a[a != 0])
        np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c
out = {'ks': [], 'asymp': [], 'wd': [], 'chi': [], 'z': [], 'binned': [], 'kstwo': [], 'special': {}}
for p in inp['numeric'] + inp['asymp']:
    r = stats.ks_2samp(p['ref'], p['cur'], method='auto')
    key = 'ks' if p in inp['numeric'] else 'asymp'
    out[key].append([float(r.statistic), float(r.pvalue)])
for p in inp['numeric']:
    ref = np.asarray(p['ref'], float)
    out['wd'].append([float(stats.wasserstein_distance(ref, p['cur'])),
                      float(stats.wasserstein_distance(ref, p['cur']) / max(np.std(ref), 0.001))])
    rs, cs = binned(p['ref'], p['cur'], True)
    out['binned'].append([float(distance.jensenshannon(rs, cs)), float(np.sum((rs - cs) * np.log(rs / cs))), len(rs)])
for p in inp['categorical']:
    keys = list(set(p['ref']) | set(p['cur']))
    k = len(p['cur']) / len(p['ref'])
    f_exp = [p['ref'].count(x) * k for x in keys]
    f_obs = [p['cur'].count(x) for x in keys]
    with np.errstate(divide='ignore', invalid='ignore'):
        r = stats.chisquare(f_obs, f_exp)
    out['chi'].append([float(r.statistic), float(r.pvalue)])
    rs, cs = binned(p['ref'], p['cur'], False)
    out['binned'].append([float(distance.jensenshannon(rs, cs)), float(np.sum((rs - cs) * np.log(rs / cs))), len(rs)])
for p in inp['binary']:
    ref, cur = p['ref'], p['cur']
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        out['z'].append([0.0, 1.0]); continue
    first = sorted(set(ref) | set(cur))[0]
    a = np.array([0 if x == first else 1 for x in ref]); b = np.array([0 if x == first else 1 for x in cur])
    n1, n2 = len(a), len(b); p1 = float(sum(a)) / n1; p2 = float(sum(b)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    out['z'].append([float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))])
for n, x in inp['kstwo']:
    out['kstwo'].append(float(stats.kstwo.sf(x, n)))
out['special']['chi2'] = [float(stats.chi2.sf(x, df)) for x, df in inp['chi2']]
out['special']['norm'] = [float(stats.norm.cdf(z)) for z in inp['norm']]
print(json.dumps(out).replace('Infinity', '1e999'))
`;

const kstwoGrid: [number, number][] = [];
for (const n of [3, 10, 57, 100, 140, 141, 480, 1000, 5000, 50_000, 150_000])
  for (const t of [0.4, 0.7, 1.1, 1.6, 2.5, 4, 8]) {
    const x = t / Math.sqrt(n);
    if (x < 1) kstwoGrid.push([n, x]);
  }
kstwoGrid.push([20, 0.6], [20, 0.97], [200, 0.004], [200, 0.0049]);
const chi2Grid: [number, number][] = [
  [0.5, 1],
  [3.2, 2],
  [15, 3],
  [40, 5],
  [0.01, 7],
  [120, 10],
  [9, 9],
];
const normGrid = [-8, -3.1, -1, -0.2, 0, 0.3, 1.7, 4, 7.5];

describe.skipIf(lacks('scipy'))('drift statistics against SciPy', () => {
  const py = runPython<{
    ks: [number, number][];
    asymp: [number, number][];
    wd: [number, number][];
    chi: [number, number][];
    z: [number, number][];
    binned: [number, number, number][];
    kstwo: number[];
    special: { chi2: number[]; norm: number[] };
  }>(SCIPY_SCRIPT, {
    numeric: numericPairs,
    asymp: asympPairs,
    categorical: categoricalPairs,
    binary: binaryPairs,
    kstwo: kstwoGrid,
    chi2: chi2Grid,
    norm: normGrid,
  });

  it('ks_2samp: statistic and exact p-value to 1e-9 (small samples, ties, equal sizes, identical)', () => {
    numericPairs.forEach((p, i) => {
      const r = ks2Samp(p.ref, p.cur);
      expect(r.method).toBe('exact');
      expectClose(r.statistic, py.ks[i][0], 1e-12, `${p.name} D`);
      expectClose(r.pvalue, py.ks[i][1], 1e-9, `${p.name} p`);
    });
    expect(ks2Samp([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]).pvalue).toBe(1);
    // the shifted sample is drift at Evidently's 0.05, the unshifted one is not
    expect(ks2Samp(numericPairs[6].ref, numericPairs[6].cur).pvalue).toBeLessThan(0.05);
    expect(ks2Samp(numericPairs[5].ref, numericPairs[5].cur).pvalue).toBeGreaterThan(0.05);
  });

  it('ks_2samp: asymptotic p-value above 10,000 values (kstwo at round(n·m/(n+m)))', () => {
    asympPairs.forEach((p, i) => {
      const r = ks2Samp(p.ref, p.cur);
      expect(r.method).toBe('asymp');
      expectClose(r.statistic, py.asymp[i][0], 1e-12, `${p.name} D`);
      expectClose(r.pvalue, py.asymp[i][1], 1e-9, `${p.name} p`);
    });
  });

  it('kstwo.sf over every regime (Ruben–Gambino, Durbin, Pelz–Good, Smirnov)', () => {
    kstwoGrid.forEach(([n, x], i) => {
      expectClose(kolmogorovSf(n, x), py.kstwo[i], 1e-9, `kstwo.sf(${x}, ${n})`);
    });
  });

  it('chi2.sf and norm.cdf', () => {
    chi2Grid.forEach(([x, df], i) => expectClose(chi2Sf(x, df), py.special.chi2[i], 1e-12, `chi2.sf(${x}, ${df})`));
    normGrid.forEach((z, i) => expectClose(normalCdf(z), py.special.norm[i], 1e-13, `norm.cdf(${z})`));
  });

  it('wasserstein_distance and the normed distance', () => {
    numericPairs.forEach((p, i) => {
      expectClose(wassersteinDistance(p.ref, p.cur), py.wd[i][0], 1e-12, `${p.name} W1`);
      expectClose(wassersteinDistanceNorm(p.ref, p.cur), py.wd[i][1], 1e-12, `${p.name} W1 normed`);
    });
  });

  it('chisquare against the reference proportions, a category new in the current window included', () => {
    categoricalPairs.forEach((p, i) => {
      const r = chiSquareTest(p.ref, p.cur);
      expectClose(r.statistic, py.chi[i][0], 1e-12, `${p.name} stat`);
      expectClose(r.pvalue, py.chi[i][1], 1e-9, `${p.name} p`);
      const c = coded(p.ref, p.cur);
      expect(chiSquareTest(c.ref, c.cur), `${p.name} coded`).toEqual(r);
    });
    expect(chiSquareTest(categoricalPairs[3].ref, categoricalPairs[3].cur).pvalue).toBe(0);
  });

  it('two-proportion z-test', () => {
    binaryPairs.forEach((p, i) => {
      const r = proportionsZTest(p.ref, p.cur);
      expectClose(r.statistic, py.z[i][0], 1e-12, `${p.name} z`);
      expectClose(r.pvalue, py.z[i][1], 1e-9, `${p.name} p`);
      const c = coded(p.ref, p.cur);
      expect(proportionsZTest(c.ref, c.cur), `${p.name} coded`).toEqual(r);
    });
    const one = coded(['a', 'a'], ['a']);
    expect(proportionsZTest(one.ref, one.cur)).toEqual({ statistic: 0, pvalue: 1 });
  });

  it('Jensen–Shannon distance and PSI on Evidently binning (Sturges bins and categories)', () => {
    const all = [
      ...numericPairs.map((p) => ({ ...p, numeric: true })),
      ...categoricalPairs.map((p) => ({ ...p, numeric: false })),
    ];
    all.forEach((p, i) => {
      const b = binnedShares(p.ref as never, p.cur as never, p.numeric);
      expect(b.reference.length, p.name).toBe(py.binned[i][2]);
      expectClose(jensenShannonDistance(b.reference, b.current), py.binned[i][0], 1e-10, `${p.name} JS`);
      expectClose(populationStabilityIndex(b.reference, b.current), py.binned[i][1], 1e-10, `${p.name} PSI`);
      if (!p.numeric) {
        const c = coded(p.ref as Category[], p.cur as Category[]);
        expect(binnedShares(c.ref, c.cur, false), `${p.name} coded`).toEqual(b);
      }
    });
  });
});

// Hyperopt-style search spaces: `hp.*` nodes anywhere inside plain objects and arrays, with
// `hp.choice` options that may hold their own sub-spaces (conditional parameters).
import type { Rng } from '../../core/random.js';

interface NodeBase {
  readonly __hp: true;
  readonly label: string;
}
export interface UniformNode extends NodeBase {
  readonly kind: 'uniform';
  readonly low: number;
  readonly high: number;
}
/** Bounds are in log space, as hyperopt: the value is exp(uniform(low, high)). */
export interface LogUniformNode extends NodeBase {
  readonly kind: 'loguniform';
  readonly low: number;
  readonly high: number;
}
export interface QUniformNode extends NodeBase {
  readonly kind: 'quniform';
  readonly low: number;
  readonly high: number;
  readonly q: number;
}
export interface QLogUniformNode extends NodeBase {
  readonly kind: 'qloguniform';
  readonly low: number;
  readonly high: number;
  readonly q: number;
}
/** Integer in [low, high). */
export interface RandIntNode extends NodeBase {
  readonly kind: 'randint';
  readonly low: number;
  readonly high: number;
}
export interface ChoiceNode extends NodeBase {
  readonly kind: 'choice';
  readonly options: readonly unknown[];
}

export type NumericNode = UniformNode | LogUniformNode | QUniformNode | QLogUniformNode;
export type CategoricalNode = RandIntNode | ChoiceNode;
export type HpNode = NumericNode | CategoricalNode;

function checkLabel(label: string): string {
  if (typeof label !== 'string' || label.length === 0) throw new RangeError('hp: label must be a non-empty string');
  return label;
}

function checkBounds(fn: string, label: string, low: number, high: number): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(high > low)) {
    throw new RangeError(`hp.${fn}("${label}"): need finite low < high, got [${low}, ${high}]`);
  }
}

function checkQ(fn: string, label: string, q: number): void {
  if (!(q > 0) || !Number.isFinite(q)) throw new RangeError(`hp.${fn}("${label}"): q must be > 0, got ${q}`);
}

export const hp = {
  uniform(label: string, low: number, high: number): UniformNode {
    checkBounds('uniform', checkLabel(label), low, high);
    return { __hp: true, kind: 'uniform', label, low, high };
  },
  loguniform(label: string, low: number, high: number): LogUniformNode {
    checkBounds('loguniform', checkLabel(label), low, high);
    return { __hp: true, kind: 'loguniform', label, low, high };
  },
  quniform(label: string, low: number, high: number, q: number): QUniformNode {
    checkBounds('quniform', checkLabel(label), low, high);
    checkQ('quniform', label, q);
    return { __hp: true, kind: 'quniform', label, low, high, q };
  },
  qloguniform(label: string, low: number, high: number, q: number): QLogUniformNode {
    checkBounds('qloguniform', checkLabel(label), low, high);
    checkQ('qloguniform', label, q);
    return { __hp: true, kind: 'qloguniform', label, low, high, q };
  },
  /** hp.randint(label, upper) → [0, upper); hp.randint(label, low, high) → [low, high). */
  randint(label: string, lowOrUpper: number, high?: number): RandIntNode {
    const low = high === undefined ? 0 : lowOrUpper;
    const hi = high === undefined ? lowOrUpper : high;
    checkLabel(label);
    if (!Number.isInteger(low) || !Number.isInteger(hi) || hi <= low) {
      throw new RangeError(`hp.randint("${label}"): need integers low < high, got [${low}, ${hi})`);
    }
    return { __hp: true, kind: 'randint', label, low, high: hi };
  },
  choice(label: string, options: readonly unknown[]): ChoiceNode {
    checkLabel(label);
    if (!Array.isArray(options) || options.length === 0)
      throw new RangeError(`hp.choice("${label}"): options must be a non-empty array`);
    return { __hp: true, kind: 'choice', label, options };
  },
};

export function isHpNode(v: unknown): v is HpNode {
  return typeof v === 'object' && v !== null && (v as NodeBase).__hp === true;
}

export function isCategorical(node: HpNode): node is CategoricalNode {
  return node.kind === 'choice' || node.kind === 'randint';
}

/** Number of categories of a categorical node. */
export function categoryCount(node: CategoricalNode): number {
  return node.kind === 'choice' ? node.options.length : node.high - node.low;
}

/** Every node of the space, keyed by label; throws if two different nodes share a label. */
export function collectNodes(space: unknown): Map<string, HpNode> {
  const nodes = new Map<string, HpNode>();
  const visit = (v: unknown): void => {
    if (isHpNode(v)) {
      const prev = nodes.get(v.label);
      if (prev && prev !== v)
        throw new RangeError(`search space: label "${v.label}" is used by two different hp nodes`);
      nodes.set(v.label, v);
      if (v.kind === 'choice') v.options.forEach(visit);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (isPlainObject(v)) Object.values(v).forEach(visit);
  };
  visit(space);
  return nodes;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * Builds a configuration by walking the space; `suggest` gives each active node's flat value
 * (choice → option index, randint → the integer, numeric → the number). Inactive branches of a
 * choice are never visited, so their labels are absent from `vals`.
 */
export function instantiate(
  space: unknown,
  suggest: (node: HpNode) => number,
): { config: unknown; vals: Record<string, number> } {
  const vals: Record<string, number> = {};
  const walk = (v: unknown): unknown => {
    if (isHpNode(v)) {
      let x = vals[v.label];
      if (x === undefined) {
        x = suggest(v);
        vals[v.label] = x;
      }
      return v.kind === 'choice' ? walk(v.options[x]) : x;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x);
      return out;
    }
    return v;
  };
  return { config: walk(space), vals };
}

/** The configuration that flat values describe (hyperopt's space_eval). */
export function spaceEval(space: unknown, vals: Record<string, number>): unknown {
  return instantiate(space, (node) => {
    const v = vals[node.label];
    if (v === undefined) throw new RangeError(`spaceEval: no value for active parameter "${node.label}"`);
    return v;
  }).config;
}

function quantize(x: number, q: number): number {
  return Math.round(x / q) * q;
}

/** A draw from the node's prior. */
export function samplePrior(node: HpNode, rng: Rng): number {
  switch (node.kind) {
    case 'uniform':
      return node.low + (node.high - node.low) * rng.random();
    case 'loguniform':
      return Math.exp(node.low + (node.high - node.low) * rng.random());
    case 'quniform':
      return quantize(node.low + (node.high - node.low) * rng.random(), node.q);
    case 'qloguniform':
      return quantize(Math.exp(node.low + (node.high - node.low) * rng.random()), node.q);
    case 'randint':
      return node.low + rng.int(node.high - node.low);
    case 'choice':
      return rng.int(node.options.length);
  }
}

export { quantize };

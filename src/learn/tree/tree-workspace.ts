// Scratch buffers of the tree builder for one training set, reused across the trees one thread
// builds (node row order, presorted lists, split groups, feature bookkeeping).
import type { TreeTrainingData } from './training-data.js';

/** Scratch buffers for one data set, reused across the trees one thread builds. */
export const PACKED_WEIGHT_BITS = 4;
export const PACKED_WEIGHT_MAX = (1 << PACKED_WEIGHT_BITS) - 1;

export class TreeWorkspace {
  readonly samples: Int32Array;
  /** Weight and class of samples[p], partitioned along with it so node scans read sequentially. */
  readonly sampW: Float64Array;
  readonly sampY: Int32Array;
  readonly tmpW: Float64Array;
  /** class << PACKED_WEIGHT_BITS | weight of samples[p] while packedWeights (sampW / sampY are then not moved). */
  readonly sampCode: Int32Array;
  readonly tmpCode: Int32Array;
  readonly tmpY: Int32Array;
  readonly lists: Int32Array;
  /** rank * nClasses + class of each lists entry, partitioned along with it so scans read sequentially. */
  readonly listRanks: Int32Array;
  /** Weight of each lists entry, partitioned along with it (unused while packedWeights). */
  readonly listW: Float64Array;
  /**
   * Set per tree: every weight is an integer in [0, PACKED_WEIGHT_MAX] (bootstrap counts without
   * class or sample weights, the forest's default), so listRanks entries carry it in their low
   * PACKED_WEIGHT_BITS bits and listW is not read or moved: half the bytes per partition.
   */
  packedWeights = false;
  /** Per row, its weight while packedWeights (0 = not in the tree): a small array for the list set-up's random reads. */
  readonly weightCodes: Uint8Array;
  readonly tmpListW: Float64Array;
  readonly tmp: Int32Array;
  readonly tmpRanks: Int32Array;
  readonly goLeft: Uint8Array;
  readonly gRank: Int32Array;
  readonly gCount: Int32Array;
  readonly gWeight: Float64Array;
  readonly gClassW: Float64Array;
  readonly features: Int32Array;
  readonly constantFeatures: Int32Array;

  constructor(readonly data: TreeTrainingData) {
    const { nRows: n, nFeatures: nF, nClasses: nc } = data;
    const nSorted = data.sortedOrder.length / Math.max(n, 1);
    this.samples = new Int32Array(n);
    this.sampW = new Float64Array(n);
    this.sampY = new Int32Array(n);
    this.tmpW = new Float64Array(n);
    this.sampCode = new Int32Array(n);
    this.tmpCode = new Int32Array(n);
    this.tmpY = new Int32Array(n);
    this.lists = new Int32Array(nSorted * n);
    if (n * nc > 0x7fffffff) throw new RangeError(`too many rows x classes for the tree builder (${n} x ${nc})`);
    this.listRanks = new Int32Array(nSorted * n);
    this.listW = new Float64Array(nSorted * n);
    this.tmpListW = new Float64Array(n);
    this.tmp = new Int32Array(n);
    this.tmpRanks = new Int32Array(n);
    this.goLeft = new Uint8Array(n);
    this.weightCodes = new Uint8Array(n);
    this.gRank = new Int32Array(n + 1);
    this.gCount = new Int32Array(n + 1);
    this.gWeight = new Float64Array(n + 1);
    this.gClassW = new Float64Array((n + 1) * nc);
    this.features = new Int32Array(nF);
    this.constantFeatures = new Int32Array(nF);
  }
}

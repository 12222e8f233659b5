// A bounded max-heap keeping the k nearest candidates, ordered by (reduced distance, index) so
// that ties are broken by the lower training index whatever order candidates arrive in.

export class NeighborHeap {
  readonly dist: Float64Array;
  readonly idx: Int32Array;
  size = 0;
  /** How many candidates are kept; may be lowered (not raised) between queries. */
  capacity: number;

  constructor(readonly maxCapacity: number) {
    this.capacity = maxCapacity;
    this.dist = new Float64Array(maxCapacity);
    this.idx = new Int32Array(maxCapacity);
  }

  reset(): void {
    this.size = 0;
  }

  /** Largest kept distance, or +Infinity while the heap is not full. */
  bound(): number {
    return this.size < this.capacity ? Infinity : this.dist[0];
  }

  push(d: number, i: number): void {
    const { dist, idx } = this;
    if (this.size < this.capacity) {
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!(dist[p] < d || (dist[p] === d && idx[p] < i))) break;
        dist[c] = dist[p];
        idx[c] = idx[p];
        c = p;
      }
      dist[c] = d;
      idx[c] = i;
      return;
    }
    if (d > dist[0] || (d === dist[0] && i >= idx[0])) return;
    let c = 0;
    const n = this.size;
    for (;;) {
      const l = 2 * c + 1,
        r = l + 1;
      let big = c,
        bd = d,
        bi = i;
      if (l < n && (dist[l] > bd || (dist[l] === bd && idx[l] > bi))) {
        big = l;
        bd = dist[l];
        bi = idx[l];
      }
      if (r < n && (dist[r] > bd || (dist[r] === bd && idx[r] > bi))) {
        big = r;
      }
      if (big === c) break;
      dist[c] = dist[big];
      idx[c] = idx[big];
      c = big;
    }
    dist[c] = d;
    idx[c] = i;
  }

  /** Sorts the kept candidates ascending by (distance, index) in place (insertion sort, k is small). */
  sort(): void {
    const { dist, idx } = this;
    for (let a = 1; a < this.size; a++) {
      const d = dist[a],
        i = idx[a];
      let b = a - 1;
      while (b >= 0 && (dist[b] > d || (dist[b] === d && idx[b] > i))) {
        dist[b + 1] = dist[b];
        idx[b + 1] = idx[b];
        b--;
      }
      dist[b + 1] = d;
      idx[b + 1] = i;
    }
  }
}

// Pooling in plain TypeScript (f64): the oracle for assembly/pool.ts. Same channels-last
// layouts and the same meaning (see that file's header), written as the equations:
//
//   window(oh, ow) = { (ih, iw) : ih = oh·strideH − padTop + i, iw = ow·strideW − padLeft + j,
//                      0 ≤ i < poolH, 0 ≤ j < poolW, 0 ≤ ih < H, 0 ≤ iw < W }   (real cells only)
//   max:  y = max_{window} x            argmax = the first maximising cell in scan order (i, then j)
//   avg:  y = Σ_{window} x / |window|
//   backward adds: dX[argmax] += dY (max);  dX[cell] += dY / |window| for each cell (avg).
// An empty window gives y = 0, argmax = −1, no gradient. Global pooling is the windowed
// form with H = S, W = 1 and one window of S cells.

type Floats = Float32Array | Float64Array;

/** The geometry of a windowed pooling call (the fields of src/kernels/pool.ts PoolShape). */
export interface PoolGeometry {
  N: number; H: number; W: number; C: number; OH: number; OW: number;
  poolH: number; poolW: number; strideH: number; strideW: number; padTop: number; padLeft: number;
}

/** Flat index of x[n, ih, iw, c] in [N, H, W, C]. */
const at = (g: PoolGeometry, n: number, ih: number, iw: number, c: number): number => ((n * g.H + ih) * g.W + iw) * g.C + c;

/** Flat index of y[n, oh, ow, c] in [N, OH, OW, C]. */
const outAt = (g: PoolGeometry, n: number, oh: number, ow: number, c: number): number => ((n * g.OH + oh) * g.OW + ow) * g.C + c;

/** The real cells of window (oh, ow) in scan order, as [ih, iw] pairs. */
export function windowCells(g: PoolGeometry, oh: number, ow: number): [number, number][] {
  const cells: [number, number][] = [];
  for (let i = 0; i < g.poolH; i++) {
    for (let j = 0; j < g.poolW; j++) {
      const ih = oh * g.strideH - g.padTop + i;
      const iw = ow * g.strideW - g.padLeft + j;
      if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) cells.push([ih, iw]);
    }
  }
  return cells;
}

/** Calls visit(n, oh, ow, c, cells) for every output element. */
function eachOutput(g: PoolGeometry, visit: (n: number, oh: number, ow: number, c: number, cells: [number, number][]) => void): void {
  for (let n = 0; n < g.N; n++) {
    for (let oh = 0; oh < g.OH; oh++) {
      for (let ow = 0; ow < g.OW; ow++) {
        const cells = windowCells(g, oh, ow);
        for (let c = 0; c < g.C; c++) visit(n, oh, ow, c, cells);
      }
    }
  }
}

/** y = max over each window; argmax = the flat x index of the first maximum in scan order (−1: empty). */
export function maxPoolReference(x: ArrayLike<number>, y: Floats, argmax: Int32Array, g: PoolGeometry): void {
  eachOutput(g, (n, oh, ow, c, cells) => {
    let best = -1;
    for (const [ih, iw] of cells) {
      const i = at(g, n, ih, iw, c);
      if (best < 0 || x[i] > x[best]) best = i;
    }
    y[outAt(g, n, oh, ow, c)] = best < 0 ? 0 : x[best];
    argmax[outAt(g, n, oh, ow, c)] = best;
  });
}

/** dX[argmax[o]] += dY[o] for every output o (argmax −1 skipped). */
export function maxPoolBackwardReference(dX: Floats, dY: ArrayLike<number>, argmax: Int32Array): void {
  for (let o = 0; o < argmax.length; o++) if (argmax[o] >= 0) dX[argmax[o]] += dY[o];
}

/** y = Σ window x / (number of real cells in the window). */
export function avgPoolReference(x: ArrayLike<number>, y: Floats, g: PoolGeometry): void {
  eachOutput(g, (n, oh, ow, c, cells) => {
    let sum = 0;
    for (const [ih, iw] of cells) sum += x[at(g, n, ih, iw, c)];
    y[outAt(g, n, oh, ow, c)] = cells.length === 0 ? 0 : sum / cells.length;
  });
}

/** dX[cell] += dY / (number of real cells) for every real cell of every window. */
export function avgPoolBackwardReference(dX: Floats, dY: ArrayLike<number>, g: PoolGeometry): void {
  eachOutput(g, (n, oh, ow, c, cells) => {
    for (const [ih, iw] of cells) dX[at(g, n, ih, iw, c)] += dY[outAt(g, n, oh, ow, c)] / cells.length;
  });
}

/** The windowed geometry of global pooling over x [N, S, C]. */
export function globalGeometry(N: number, S: number, C: number): PoolGeometry {
  return { N, H: S, W: 1, C, OH: 1, OW: 1, poolH: S, poolW: 1, strideH: 1, strideW: 1, padTop: 0, padLeft: 0 };
}

/** y[n, c] = Σ_s x[n, s, c] / S. */
export function globalAvgPoolReference(x: ArrayLike<number>, y: Floats, N: number, S: number, C: number): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let s = 0; s < S; s++) sum += x[(n * S + s) * C + c];
      y[n * C + c] = sum / S;
    }
  }
}

/** dX[n, s, c] += dY[n, c] / S. */
export function globalAvgPoolBackwardReference(dX: Floats, dY: ArrayLike<number>, N: number, S: number, C: number): void {
  for (let n = 0; n < N; n++) {
    for (let s = 0; s < S; s++) {
      for (let c = 0; c < C; c++) dX[(n * S + s) * C + c] += dY[n * C + c] / S;
    }
  }
}

/** y[n, c] = max_s x[n, s, c]; argmax = (n·S + s)·C + c of the first maximum. */
export function globalMaxPoolReference(x: ArrayLike<number>, y: Floats, argmax: Int32Array, N: number, S: number, C: number): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let best = (n * S) * C + c;
      for (let s = 1; s < S; s++) if (x[(n * S + s) * C + c] > x[best]) best = (n * S + s) * C + c;
      y[n * C + c] = x[best];
      argmax[n * C + c] = best;
    }
  }
}

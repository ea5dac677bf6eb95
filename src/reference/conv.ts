// Plain-TypeScript (f64) 2-D convolution (cross-correlation), channels-last: forward and
// backward as direct loops over the equations. The oracle for assembly/conv.ts.
//
//   x [N, H, W, Cin];  w [KH, KW, Cg, Cout];  bias [Cout] or null;  y, dY [N, OH, OW, Cout]
//   Cg = Cin / groups, Og = Cout / groups; output channel co reads input channels g·Cg … g·Cg + Cg − 1, g = ⌊co / Og⌋.
//   y[n, i, j, co] = bias[co] + Σ_{kh, kw, c} x[n, i·sh − padTop + kh·dh, j·sw − padLeft + kw·dw, g·Cg + c] · w[kh, kw, c, co]
//   (taps outside the image read zero). Backward accumulates (+=) into dX, dW, dBias.
// The field names are those of src/kernels/conv.ts's Conv2dGeometry (declared again here:
// the references import nothing of the library).

export interface ConvGeometry {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  kernelHeight: number;
  kernelWidth: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  groups: number;
}

type Values = ArrayLike<number>;
type Target = { [i: number]: number; length: number };

/** Calls tap(yIndex, xIndex, wIndex, co) for every output element and every in-bounds tap, in n, i, j, co, kh, kw, c order. */
function forEachTap(g: ConvGeometry, tap: (yIndex: number, xIndex: number, wIndex: number, co: number) => void, output?: (yIndex: number, co: number) => void): void {
  const Cg = g.inChannels / g.groups;
  const Og = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) {
    for (let i = 0; i < g.outHeight; i++) {
      for (let j = 0; j < g.outWidth; j++) {
        for (let co = 0; co < g.outChannels; co++) {
          const yIndex = ((n * g.outHeight + i) * g.outWidth + j) * g.outChannels + co;
          output?.(yIndex, co);
          const group = Math.floor(co / Og);
          for (let kh = 0; kh < g.kernelHeight; kh++) {
            const ih = i * g.strideH - g.padTop + kh * g.dilationH;
            if (ih < 0 || ih >= g.height) continue;
            for (let kw = 0; kw < g.kernelWidth; kw++) {
              const iw = j * g.strideW - g.padLeft + kw * g.dilationW;
              if (iw < 0 || iw >= g.width) continue;
              for (let c = 0; c < Cg; c++) {
                const xIndex = ((n * g.height + ih) * g.width + iw) * g.inChannels + group * Cg + c;
                const wIndex = ((kh * g.kernelWidth + kw) * Cg + c) * g.outChannels + co;
                tap(yIndex, xIndex, wIndex, co);
              }
            }
          }
        }
      }
    }
  }
}

/** y = bias + x ⋆ w. */
export function conv2dForwardReference(g: ConvGeometry, x: Values, w: Values, bias: Values | null, y: Target): void {
  forEachTap(g,
    (yIndex, xIndex, wIndex) => { y[yIndex] += x[xIndex] * w[wIndex]; },
    (yIndex, co) => { y[yIndex] = bias ? bias[co] : 0; });
}

/** dX += dY ⋆ᵀ w, dW += xᵀ dY, dBias += Σ dY (any of the three may be null). */
export function conv2dBackwardReference(
  g: ConvGeometry, x: Values, w: Values, dY: Values, dX: Target | null, dW: Target | null, dBias: Target | null,
): void {
  forEachTap(g,
    (yIndex, xIndex, wIndex) => {
      if (dX) dX[xIndex] += w[wIndex] * dY[yIndex];
      if (dW) dW[wIndex] += x[xIndex] * dY[yIndex];
    },
    (yIndex, co) => { if (dBias) dBias[co] += dY[yIndex]; });
}

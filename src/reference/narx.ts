// NARX tapped delay lines in plain TypeScript: the oracle for assembly/narx.ts.
// Same layouts, written as the equations.
//   row[b] = [x_{s+xLead−d₁}[b], …, x_{s+xLead−d_nx}[b], y_{s+yLead−e₁}[b], …, y_{s+yLead−e_ny}[b]]
//   dOut[s − e_k][b] += dRow[b][feedback part k]   (s − e_k ≥ 0)

type Floats = Float32Array | Float64Array;

/** The regressor rows [B, nx·I + ny·O] of step `step` from xs [Tx, B, I] and history [Ty, B, O]. */
export function narxTapsReference(
  row: Floats, xs: ArrayLike<number>, history: ArrayLike<number>, inputDelays: readonly number[], feedbackDelays: readonly number[],
  step: number, B: number, I: number, O: number, xLead: number, yLead: number,
): void {
  const F = inputDelays.length * I + feedbackDelays.length * O;
  for (let b = 0; b < B; b++) {
    let c = b * F;
    for (const d of inputDelays) {
      const t = step + xLead - d;
      for (let i = 0; i < I; i++) row[c++] = xs[(t * B + b) * I + i];
    }
    for (const e of feedbackDelays) {
      const t = step + yLead - e;
      for (let o = 0; o < O; o++) row[c++] = history[(t * B + b) * O + o];
    }
  }
}

/** dOut [S, B, O] += the feedback parts of dRow [B, F] at the steps they were read from. */
export function narxTapsBackwardReference(
  dOut: Floats, dRow: ArrayLike<number>, inputDelays: readonly number[], feedbackDelays: readonly number[],
  step: number, B: number, I: number, O: number,
): void {
  const xPart = inputDelays.length * I;
  const F = xPart + feedbackDelays.length * O;
  feedbackDelays.forEach((e, k) => {
    const t = step - e;
    if (t < 0) return;
    for (let b = 0; b < B; b++) for (let o = 0; o < O; o++) dOut[(t * B + b) * O + o] += dRow[b * F + xPart + k * O + o];
  });
}

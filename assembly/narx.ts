// NARX tapped delay lines: the data movement around the MLP of a NARX model
// (src/forecast/narx.ts), one call per time step of a closed-loop run.
// y_t = f(x_{t−d₁}, …, x_{t−d_nx}, y_{t−e₁}, …, y_{t−e_ny}); the regressor row of
// sequence b at step s is the input taps, then the feedback taps, each in the
// order `delays` lists them.
//
//   narx_taps_f32(row, xs, history, delays, step, B, I, O, nx, ny, xLead, yLead)
//       row     [B, F], F = nx·I + ny·O            (out)
//       xs      [Tx, B, I] time-major inputs; step s reads xs[s + xLead − d]
//       history [Ty, B, O] time-major outputs (true values before the run, then the
//               model's own); step s reads history[s + yLead − e]
//       delays  i32 [nx + ny]: the input delays d, then the feedback delays e
//       row[b] = [xs[s + xLead − d₁, b], …, history[s + yLead − e₁, b], …]
//   The caller keeps every index in range (s + xLead − d ≥ 0, s + yLead − e ≥ 0).
//
//   narx_taps_backward_f32(dOut, dRow, delays, step, B, I, O, nx, ny)
//       dOut [S, B, O]: dLoss/d(the outputs of steps 0 … S − 1) (in, accumulated into)
//       dRow [B, F]:    dLoss/d(the regressor row of step s)
//       dOut[s − e_k, b] += dRow[b, nx·I + k·O …] for every feedback tap with s − e_k ≥ 0
//       (taps that reach before step 0 read true values, which have no gradient).
//       The feedback delays are distinct, so every element of dOut gets at most one
//       f32 add per call: both builds give identical bits.
import { addRow } from "./cells";

export function narx_taps_f32(
  row: usize, xs: usize, history: usize, delays: usize,
  step: i32, B: i32, I: i32, O: i32, nx: i32, ny: i32, xLead: i32, yLead: i32,
): void {
  const xBytes = <usize>I << 2;
  const yBytes = <usize>O << 2;
  const rowBytes = <usize>nx * xBytes + <usize>ny * yBytes;
  for (let b = 0; b < B; b++) {
    let dst = row + <usize>b * rowBytes;
    for (let k = 0; k < nx; k++) {
      const t = step + xLead - load<i32>(delays + (<usize>k << 2));
      memory.copy(dst, xs + (<usize>t * <usize>B + <usize>b) * xBytes, xBytes);
      dst += xBytes;
    }
    for (let k = 0; k < ny; k++) {
      const t = step + yLead - load<i32>(delays + (<usize>(nx + k) << 2));
      memory.copy(dst, history + (<usize>t * <usize>B + <usize>b) * yBytes, yBytes);
      dst += yBytes;
    }
  }
}

export function narx_taps_backward_f32(
  dOut: usize, dRow: usize, delays: usize,
  step: i32, B: i32, I: i32, O: i32, nx: i32, ny: i32,
): void {
  const yBytes = <usize>O << 2;
  const xPart = (<usize>nx * <usize>I) << 2;
  const rowBytes = xPart + <usize>ny * yBytes;
  for (let k = 0; k < ny; k++) {
    const t = step - load<i32>(delays + (<usize>(nx + k) << 2));
    if (t < 0) continue;
    for (let b = 0; b < B; b++) {
      addRow(dOut + (<usize>t * <usize>B + <usize>b) * yBytes, dRow + <usize>b * rowBytes + xPart + <usize>k * yBytes, O);
    }
  }
}

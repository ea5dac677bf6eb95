// Autoencoder kernels: the KL sparsity penalty on the mean activation of a sigmoid code layer
// (Ng's sparse autoencoder), its value and its gradient, in one pass per code unit.
//
//   kl_sparsity_f32(dH [rows, units] or 0, h [rows, units], rows, units, rho, beta): f64
//     rhoHat_j = (1/rows)·Σ_r h[r, j]      (f64, r ascending; clamped to [1e-6, 1 − 1e-6])
//     returns  β·Σ_j [ρ·ln(ρ/rhoHat_j) + (1 − ρ)·ln((1 − ρ)/(1 − rhoHat_j))]   (j ascending)
//     dH ≠ 0: dH[r, j] += β·(−ρ/rhoHat_j + (1 − ρ)/(1 − rhoHat_j)) / rows     (the penalty's
//             gradient w.r.t. each code activation, added to what the decoder sent back)
//   0 < ρ < 1, β ≥ 0. Scalar code only (no lanes), so the SIMD and scalar builds agree bit for bit.

const KL_EPSILON: f64 = 1e-6;

export function kl_sparsity_f32(dH: usize, h: usize, rows: i32, units: i32, rho: f64, beta: f64): f64 {
  let penalty: f64 = 0;
  const inv = 1.0 / <f64>rows;
  for (let j = 0; j < units; j++) {
    let s: f64 = 0;
    for (let r = 0; r < rows; r++) s += <f64>load<f32>(h + ((<usize>r * <usize>units + <usize>j) << 2));
    let q = s * inv;
    if (q < KL_EPSILON) q = KL_EPSILON;
    if (q > 1.0 - KL_EPSILON) q = 1.0 - KL_EPSILON;
    penalty += rho * Math.log(rho / q) + (1.0 - rho) * Math.log((1.0 - rho) / (1.0 - q));
    if (dH == 0) continue;
    const g = <f32>(beta * (-rho / q + (1.0 - rho) / (1.0 - q)) * inv);
    for (let r = 0; r < rows; r++) {
      const at = dH + ((<usize>r * <usize>units + <usize>j) << 2);
      store<f32>(at, load<f32>(at) + g);
    }
  }
  return beta * penalty;
}

// Normalizations of a TCN's residual blocks (Bai, Kolter & Koltun 2018; keras-tcn), forward
// and backward side by side.
//
// Layer normalization over the last axis (Ba, Kiros & Hinton 2016; Keras' LayerNormalization
// with axis −1), one row = one time step of one sequence:
//   layer_norm_forward_f32(y [rows, C], xhat [rows, C], rstd [rows], x [rows, C], gamma [C], beta [C], rows, C, epsilon)
//     mean_r = Σ_c x[r, c] / C,  var_r = Σ_c (x[r, c] − mean_r)² / C    (f64, summed in increasing c)
//     rstd_r = 1 / √(var_r + epsilon)                                   (f64, then rounded to f32)
//     xhat[r, c] = (x[r, c] − mean_r)·rstd_r,  y[r, c] = gamma[c]·xhat[r, c] + beta[c]   (f32)
//   Saves xhat and rstd for backward (x itself is not needed again).
//   layer_norm_backward_f32(dX [rows, C], dGamma [C], dBeta [C], dY [rows, C], xhat, rstd, gamma, rows, C)
//     g = dY ⊙ gamma;  a_r = Σ_c g / C;  b_r = Σ_c g·xhat / C            (f64 sums, then f32)
//     dX[r, c] += rstd_r·((g[r, c] − a_r) − xhat[r, c]·b_r)
//     dGamma[c] += Σ_r dY[r, c]·xhat[r, c];  dBeta[c] += Σ_r dY[r, c]  (in increasing r)
//   Every gradient accumulates (+=). y may alias x (x is read before y is written, row by row).
//
// Weight normalization per output filter (Salimans & Kingma 2016; PyTorch's weight_norm with
// dim 0, TF-Addons' WeightNormalization): a kernel [R, F] (R = K·C_in rows, one column per
// filter) is w = g·v / ‖v‖ with the norm over each column:
//   weight_norm_forward_f32(w [R, F], norm [F], v [R, F], g [F], R, F)
//     norm[f] = √(Σ_r v[r, f]²)  (f64, then f32);  w[r, f] = v[r, f]·(g[f] / norm[f])
//   weight_norm_backward_f32(dV [R, F], dG [F], dW [R, F], v, g, norm, R, F)  from dW = ∂L/∂w:
//     s_f = Σ_r dW[r, f]·v[r, f] (f64);  dG[f] += s_f / norm[f]
//     dV[r, f] += (g[f] / norm[f])·(dW[r, f] − v[r, f]·(s_f / norm[f]²))
//   A column of zeros has no direction (0/0): the layer refuses such a v.
//   Both are O(R·F), once per forward or backward of a whole batch — nothing next to the
//   convolution they feed (O(T·B·R·F)) — and scalar in both builds.
//
// Both builds give identical bits: the f64 sums run in one order in both, and every f32
// expression is evaluated in the same order by the vector body and the scalar tail.

export function layer_norm_forward_f32(
  y: usize, xhat: usize, rstd: usize, x: usize, gamma: usize, beta: usize, rows: i32, C: i32, epsilon: f32,
): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    let sum: f64 = 0;
    for (let c = 0; c < C; c++) sum += <f64>load<f32>(xr + (<usize>c << 2));
    const mean64 = sum / <f64>C;
    let squares: f64 = 0;
    for (let c = 0; c < C; c++) {
      const d = <f64>load<f32>(xr + (<usize>c << 2)) - mean64;
      squares += d * d;
    }
    const s = <f32>(1 / Math.sqrt(squares / <f64>C + <f64>epsilon));
    const m = <f32>mean64;
    store<f32>(rstd + (<usize>r << 2), s);
    const yr = y + <usize>r * rowBytes;
    const hr = xhat + <usize>r * rowBytes;
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const vm = f32x4.splat(m);
      const vs = f32x4.splat(s);
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        const h = f32x4.mul(f32x4.sub(v128.load(xr + o), vm), vs);
        v128.store(hr + o, h);
        v128.store(yr + o, f32x4.add(f32x4.mul(v128.load(gamma + o), h), v128.load(beta + o)));
      }
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      const h = (load<f32>(xr + o) - m) * s;
      store<f32>(hr + o, h);
      store<f32>(yr + o, load<f32>(gamma + o) * h + load<f32>(beta + o));
    }
  }
}

export function layer_norm_backward_f32(
  dX: usize, dGamma: usize, dBeta: usize, dY: usize, xhat: usize, rstd: usize, gamma: usize, rows: i32, C: i32,
): void {
  const rowBytes = <usize>C << 2;
  for (let r = 0; r < rows; r++) {
    const dyr = dY + <usize>r * rowBytes;
    const hr = xhat + <usize>r * rowBytes;
    const dxr = dX + <usize>r * rowBytes;
    let sumG: f64 = 0;
    let sumGH: f64 = 0;
    for (let c = 0; c < C; c++) {
      const o = <usize>c << 2;
      const g = <f64>load<f32>(dyr + o) * <f64>load<f32>(gamma + o);
      sumG += g;
      sumGH += g * <f64>load<f32>(hr + o);
    }
    const a = <f32>(sumG / <f64>C);
    const b = <f32>(sumGH / <f64>C);
    const s = load<f32>(rstd + (<usize>r << 2));
    let c = 0;
    if (ASC_FEATURE_SIMD) {
      const va = f32x4.splat(a);
      const vb = f32x4.splat(b);
      const vs = f32x4.splat(s);
      for (; c + 4 <= C; c += 4) {
        const o = <usize>c << 2;
        const dy = v128.load(dyr + o);
        const h = v128.load(hr + o);
        const g = f32x4.mul(dy, v128.load(gamma + o));
        const d = f32x4.mul(vs, f32x4.sub(f32x4.sub(g, va), f32x4.mul(h, vb)));
        v128.store(dxr + o, f32x4.add(v128.load(dxr + o), d));
        v128.store(dGamma + o, f32x4.add(v128.load(dGamma + o), f32x4.mul(dy, h)));
        v128.store(dBeta + o, f32x4.add(v128.load(dBeta + o), dy));
      }
    }
    for (; c < C; c++) {
      const o = <usize>c << 2;
      const dy = load<f32>(dyr + o);
      const h = load<f32>(hr + o);
      const g = dy * load<f32>(gamma + o);
      store<f32>(dxr + o, load<f32>(dxr + o) + s * ((g - a) - h * b));
      store<f32>(dGamma + o, load<f32>(dGamma + o) + dy * h);
      store<f32>(dBeta + o, load<f32>(dBeta + o) + dy);
    }
  }
}

export function weight_norm_forward_f32(w: usize, norm: usize, v: usize, g: usize, R: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let f = 0; f < F; f++) {
    const col = <usize>f << 2;
    let squares: f64 = 0;
    for (let r = 0; r < R; r++) {
      const value = <f64>load<f32>(v + <usize>r * rowBytes + col);
      squares += value * value;
    }
    const n = <f32>Math.sqrt(squares);
    store<f32>(norm + col, n);
    const scale = load<f32>(g + col) / n;
    for (let r = 0; r < R; r++) {
      const o = <usize>r * rowBytes + col;
      store<f32>(w + o, load<f32>(v + o) * scale);
    }
  }
}

export function weight_norm_backward_f32(dV: usize, dG: usize, dW: usize, v: usize, g: usize, norm: usize, R: i32, F: i32): void {
  const rowBytes = <usize>F << 2;
  for (let f = 0; f < F; f++) {
    const col = <usize>f << 2;
    let s: f64 = 0;
    for (let r = 0; r < R; r++) {
      const o = <usize>r * rowBytes + col;
      s += <f64>load<f32>(dW + o) * <f64>load<f32>(v + o);
    }
    const n = load<f32>(norm + col);
    store<f32>(dG + col, load<f32>(dG + col) + <f32>(s / <f64>n));
    const scale = load<f32>(g + col) / n;
    const along = <f32>(s / (<f64>n * <f64>n));
    for (let r = 0; r < R; r++) {
      const o = <usize>r * rowBytes + col;
      store<f32>(dV + o, load<f32>(dV + o) + scale * (load<f32>(dW + o) - load<f32>(v + o) * along));
    }
  }
}

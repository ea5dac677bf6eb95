// Deep Boltzmann machine kernels (Salakhutdinov & Hinton 2009), two hidden layers:
//
//   E(v, h1, h2) = −vᵀW1h1 − h1ᵀW2h2 − bvᵀv − b1ᵀh1 − b2ᵀh2,   W1 [nv, n1], W2 [n1, n2], all units 0/1
//
// One primitive serves inference, sampling, pretraining and the persistent chains: the conditional
// of a layer given its two neighbours (the layer below through W_l, the layer above through W_{l+1}ᵀ):
//
//   dbm_conditional_f32(out [B, n], old [B, n] | 0, below [B, nb] | 0, wBelow [nb, n],
//                       above [B, na] | 0, wAbove [n, na], bias [n], work,
//                       B, nb, n, na, scaleBelow, scaleAbove, seed, sample): f64
//     out = σ(scaleBelow·below·wBelow + scaleAbove·above·wAboveᵀ + bias)   (a null neighbour adds nothing)
//     sample ≠ 0: out_i ← u(seed, i) < out_i ? 1 : 0   (assembly/random.ts, i = the row-major index)
//     returns max_i |out_i − old_i| (f64, before sampling; 0 when old = 0). out must not alias the inputs.
//     work: GEMM_WORK_FLOATS of scratch (the backend's GEMM workspace).
//
//   dbm_weight_update_f32(w [na, nb], a [B, na], b [B, nb], aModel [M, na], bModel [M, nb], work, B, M, na, nb, rate)
//     W ← W + (rate/B)·aᵀb − (rate/M)·aModelᵀbModel          (two GEMMs; the data term first)
//   dbm_bias_update_f32(bias [n], data [B, n], model [M, n], B, M, n, rate)
//     bias_j ← bias_j + f32(rate·(Σ_b data_bj / B − Σ_m model_mj / M))   (column sums in f64, increasing row)
//
//   dbm_log_partition_f64(w1, w2, bv, b1, b2, nv, n1, n2): f64 — log Z exactly, by enumerating the 2^n1
//     states of h1 with v and h2 summed out in closed form (both are conditionally independent given h1):
//       log Z = log Σ_{h1} exp(b1ᵀh1) Π_i (1 + e^{(W1h1)_i + bv_i}) Π_k (1 + e^{(W2ᵀh1)_k + b2_k})
//     in f64: states in increasing binary order (bit j of the state index = h1_j), each term's input
//     summed over j in increasing order, softplus(x) = max(x, 0) + log1p(e^{−|x|}), and a running
//     log-sum-exp (m, s): the sum is s·e^m.
//   dbm_bound_terms_f64(v [B, nv], mu1 [B, n1], mu2 [B, n2], w1, w2, bv, b1, b2, B, nv, n1, n2): f64
//     Σ_b (E_q[−E(v_b, h)] + H(q_b)) for the factorised q_b(h1, h2) = Π μ1^h1 (1 − μ1)^(1−h1) · Π μ2^…:
//       E_q[−E] = vᵀW1μ1 + μ1ᵀW2μ2 + bvᵀv + b1ᵀμ1 + b2ᵀμ2,   H(q) = −Σ μ ln μ + (1 − μ) ln(1 − μ)
//     in f64, every sum in increasing index order (the variational bound is this / B − log Z).
//
// The f64 kernels are scalar loops, the f32 ones GEMMs (gemm.ts: one summation order in both builds)
// plus element-wise steps that the SIMD body and the scalar tail compute the same way (sigmoid4 and
// sigmoidScalar agree bit for bit, see activations.ts), so the SIMD and scalar builds are bit-identical.
import { gemm_f32, NO_TRANS, TRANS } from "./gemm";
import { sigmoid4, sigmoidScalar } from "./activations";
import { seedBase, uniform } from "./random";

export function dbm_conditional_f32(
  out: usize, old: usize, below: usize, wBelow: usize, above: usize, wAbove: usize, bias: usize, work: usize,
  B: i32, nb: i32, n: i32, na: i32, scaleBelow: f32, scaleAbove: f32, seed: u32, sample: i32,
): f64 {
  let beta: f32 = 0;
  if (below != 0 && nb > 0) {
    gemm_f32(out, below, wBelow, work, B, n, nb, nb, n, n, NO_TRANS, NO_TRANS, scaleBelow, 0);
    beta = 1;
  }
  if (above != 0 && na > 0) {
    gemm_f32(out, above, wAbove, work, B, n, na, na, na, n, NO_TRANS, TRANS, scaleAbove, beta);
    beta = 1;
  }
  const base = seedBase(seed);
  let change: f64 = 0;
  for (let r = 0; r < B; r++) {
    const row = out + (<usize>r * <usize>n << 2);
    const oldRow = old + (<usize>r * <usize>n << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const x = beta == 0 ? v128.load(bias + o) : f32x4.add(v128.load(row + o), v128.load(bias + o));
        v128.store(row + o, sigmoid4(x));
      }
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const x = beta == 0 ? load<f32>(bias + o) : load<f32>(row + o) + load<f32>(bias + o);
      store<f32>(row + o, sigmoidScalar(x));
    }
    for (j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const p = load<f32>(row + o);
      if (old != 0) {
        const d = Math.abs(<f64>p - <f64>load<f32>(oldRow + o));
        // NaN propagates: a NaN difference makes the change NaN.
        if (!(d <= change)) change = d;
      }
      if (sample != 0) store<f32>(row + o, uniform(base, <u32>(r * n + j)) < <f64>p ? 1 : 0);
    }
  }
  return change;
}

export function dbm_weight_update_f32(
  w: usize, a: usize, b: usize, aModel: usize, bModel: usize, work: usize,
  B: i32, M: i32, na: i32, nb: i32, rate: f32,
): void {
  gemm_f32(w, a, b, work, na, nb, B, na, nb, nb, TRANS, NO_TRANS, rate / <f32>B, 1);
  gemm_f32(w, aModel, bModel, work, na, nb, M, na, nb, nb, TRANS, NO_TRANS, -rate / <f32>M, 1);
}

export function dbm_bias_update_f32(bias: usize, data: usize, model: usize, B: i32, M: i32, n: i32, rate: f64): void {
  for (let j = 0; j < n; j++) {
    let sd: f64 = 0;
    for (let r = 0; r < B; r++) sd += <f64>load<f32>(data + ((<usize>r * <usize>n + <usize>j) << 2));
    let sm: f64 = 0;
    for (let r = 0; r < M; r++) sm += <f64>load<f32>(model + ((<usize>r * <usize>n + <usize>j) << 2));
    const p = bias + (<usize>j << 2);
    store<f32>(p, load<f32>(p) + <f32>(rate * (sd / <f64>B - sm / <f64>M)));
  }
}

// @ts-ignore: decorator
@inline function softplus(x: f64): f64 {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

// @ts-ignore: decorator
@inline function w32(p: usize, i: i32): f64 {
  return <f64>load<f32>(p + (<usize>i << 2));
}

export function dbm_log_partition_f64(w1: usize, w2: usize, bv: usize, b1: usize, b2: usize, nv: i32, n1: i32, n2: i32): f64 {
  const states: i32 = 1 << n1;
  let m: f64 = -Infinity;
  let s: f64 = 0;
  for (let h = 0; h < states; h++) {
    let a: f64 = 0;
    for (let j = 0; j < n1; j++) if ((h >> j) & 1) a += w32(b1, j);
    for (let i = 0; i < nv; i++) {
      let x = w32(bv, i);
      for (let j = 0; j < n1; j++) if ((h >> j) & 1) x += w32(w1, i * n1 + j);
      a += softplus(x);
    }
    for (let k = 0; k < n2; k++) {
      let x = w32(b2, k);
      for (let j = 0; j < n1; j++) if ((h >> j) & 1) x += w32(w2, j * n2 + k);
      a += softplus(x);
    }
    if (a > m) {
      s = s * Math.exp(m - a) + 1;
      m = a;
    } else {
      s += Math.exp(a - m);
    }
  }
  return m + Math.log(s);
}

// @ts-ignore: decorator
@inline function entropy(p: f64): f64 {
  let h: f64 = 0;
  if (p > 0) h -= p * Math.log(p);
  if (p < 1) h -= (1 - p) * Math.log(1 - p);
  return h;
}

export function dbm_bound_terms_f64(
  v: usize, mu1: usize, mu2: usize, w1: usize, w2: usize, bv: usize, b1: usize, b2: usize,
  B: i32, nv: i32, n1: i32, n2: i32,
): f64 {
  let total: f64 = 0;
  for (let r = 0; r < B; r++) {
    const vr = v + (<usize>r * <usize>nv << 2);
    const m1 = mu1 + (<usize>r * <usize>n1 << 2);
    const m2 = mu2 + (<usize>r * <usize>n2 << 2);
    let e: f64 = 0;
    for (let i = 0; i < nv; i++) {
      const vi = w32(vr, i);
      let x: f64 = 0;
      for (let j = 0; j < n1; j++) x += w32(w1, i * n1 + j) * w32(m1, j);
      e += vi * x + w32(bv, i) * vi;
    }
    for (let j = 0; j < n1; j++) {
      const mj = w32(m1, j);
      let x: f64 = 0;
      for (let k = 0; k < n2; k++) x += w32(w2, j * n2 + k) * w32(m2, k);
      e += mj * x + w32(b1, j) * mj + entropy(mj);
    }
    for (let k = 0; k < n2; k++) {
      const mk = w32(m2, k);
      e += w32(b2, k) * mk + entropy(mk);
    }
    total += e;
  }
  return total;
}

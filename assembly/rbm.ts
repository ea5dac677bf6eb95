// The restricted Boltzmann machine (issue #14): f32 kernels for training and inference (GEMMs
// from gemm.ts, sampling from random.ts's counter-based generator), f64 kernels for the
// quantities that are summed over data or states (free energies, pseudo-likelihood, the exact
// log-partition by enumeration, annealed importance sampling).
//
//   params  f32 [V·H + V + H] = W [V, H] row-major (w_ij joins visible i and hidden j) | b [V] | a [H]
//   v       f32 [N, V] visible rows;  h, ph f32 [N, H] hidden samples / probabilities
//   energy  E(v, h) = −vᵀWh − bᵀv − aᵀh                       (bernoulli visible units, v ∈ {0, 1})
//           E(v, h) = ½‖v − b‖² − vᵀWh − aᵀh                  (gaussian visible units, unit variance)
//   p(h_j = 1 | v) = σ(a_j + Σ_i v_i·w_ij)
//   p(v_i = 1 | h) = σ(b_i + Σ_j w_ij·h_j)  (bernoulli);  v_i | h ~ N(b_i + Σ_j w_ij·h_j, 1)  (gaussian)
//   free energy F(v) = −bᵀv − Σ_j softplus(a_j + (vW)_j)  (bernoulli);  ½‖v − b‖² − Σ_j softplus(…)  (gaussian)
//
// Random numbers: phase p of a call with seed s draws u(p, i) = lowbias32(phaseBase(s, p) + i) / 2³²,
// phaseBase(s, p) = seedBase(lowbias32(s + p·0x632BE5AB)); element i of the phase's [rows, cols]
// block uses counter i (gaussian: 2i and 2i + 1) through random.ts's samplers (bernoulliFrom, gaussianFrom).
// A Bernoulli sample is 1 when u < p. Every element-wise loop is scalar (sigmoidScalar, f32), and
// the matrix products are gemm_f32, so the SIMD and scalar builds give the same bits.
//
// One CD / PCD step for a mini-batch v0 [B, V] (rbm_cd_step_f32), following Hinton's practical
// guide (2010) and scikit-learn's BernoulliRBM._fit:
//   ph0 = p(h | v0)                                 probabilities: positive statistics
//   h0  ~ ph0                                       a sample (phase 0): drives the chain
//   chain start h = h0 (CD), or the persistent chain's hidden samples (PCD; mode 2 first copies h0 in)
//   for s = 1 … k:  mv = mean of p(v | h);  vk ~ p(v | h) (phase 2s − 1);  phk = p(h | vk);  h ~ phk (phase 2s)
//   PCD: the chain keeps the last h
//   the batch's reconstruction error Σ (v0 − mean of p(v | h0))² is returned (f64; NaN when the update
//   would make any parameter non-finite, in which case the parameters are left unchanged)
//   negative statistics from the sampled vk and the probabilities phk;
//   gradient   gW = (v0ᵀ·ph0 − vkᵀ·phk) / B,  gb = Σ_rows (v0 − vk) / B,  ga = Σ_rows (ph0 − phk) / B
//   sparsity   (cost > 0) q ← 0.9·q + 0.1·mean_rows(ph0);  s_j = cost·(q_j − target);
//              ga_j −= s_j,  gW_ij −= s_j·mean_rows(v0_i)
//   update     ΔW ← momentum·ΔW + lr·(gW − weightDecay·W),  Δb ← momentum·Δb + lr·gb,  Δa ← momentum·Δa + lr·ga
//              W += ΔW, b += Δb, a += Δa (no decay on biases)
// scratch f32 [3·B·H + 2·B·V + V]: ph0 | h | phk | mv | vk | mean_rows(v0).
import { gemm_f32, NO_TRANS, TRANS } from "./gemm";
import { sigmoidScalar } from "./activations";
import { bernoulliFrom, gaussianFrom, lowbias32, seedBase, uniform } from "./random";

// @ts-ignore: decorator
@inline function phaseBase(seed: u32, phase: u32): u32 {
  return seedBase(lowbias32(seed + phase * 0x632be5ab));
}

// @ts-ignore: decorator
@inline function f32At(p: usize, i: i32): f32 {
  return load<f32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function f64At(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** softplus(x) = log(1 + eˣ), without overflow. */
function softplus(x: f64): f64 {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** ph [N, H] = σ(v·W + a). */
function hiddenProbabilities(ph: usize, v: usize, params: usize, work: usize, N: i32, V: i32, H: i32): void {
  const a = params + (<usize>(V * H + V) << 2);
  gemm_f32(ph, v, params, work, N, H, V, V, H, H, NO_TRANS, NO_TRANS, 1, 0);
  for (let r = 0; r < N; r++) {
    const row = ph + (<usize>(r * H) << 2);
    for (let j = 0; j < H; j++) {
      const o = <usize>j << 2;
      store<f32>(row + o, sigmoidScalar(load<f32>(row + o) + load<f32>(a + o)));
    }
  }
}

/** mv [N, V] = the mean of p(v | h): σ(h·Wᵀ + b) (bernoulli) or h·Wᵀ + b (gaussian). */
function visibleMeans(mv: usize, h: usize, params: usize, work: usize, N: i32, V: i32, H: i32, gaussian: i32): void {
  const b = params + (<usize>(V * H) << 2);
  gemm_f32(mv, h, params, work, N, V, H, H, H, V, NO_TRANS, TRANS, 1, 0);
  for (let r = 0; r < N; r++) {
    const row = mv + (<usize>(r * V) << 2);
    for (let i = 0; i < V; i++) {
      const o = <usize>i << 2;
      const x = load<f32>(row + o) + load<f32>(b + o);
      store<f32>(row + o, gaussian ? x : sigmoidScalar(x));
    }
  }
}

/** transform: ph [N, H] = p(h = 1 | v). */
export function rbm_hidden_f32(ph: usize, v: usize, params: usize, work: usize, N: i32, V: i32, H: i32): void {
  hiddenProbabilities(ph, v, params, work, N, V, H);
}

/** mv [N, V] = the mean of p(v | h) for given hidden values h [N, H] (samples or probabilities). */
export function rbm_visible_f32(mv: usize, h: usize, params: usize, work: usize, N: i32, V: i32, H: i32, gaussian: i32): void {
  visibleMeans(mv, h, params, work, N, V, H, gaussian);
}

/**
 * Mean-field reconstruction: mv [N, V] = mean of p(v | h = p(h | v)), ph [N, H] scratch.
 * Returns Σ_rows Σ_i (v − mv)² in f64 (rows in order, i ascending).
 */
export function rbm_reconstruct_f32(mv: usize, ph: usize, v: usize, params: usize, work: usize, N: i32, V: i32, H: i32, gaussian: i32): f64 {
  hiddenProbabilities(ph, v, params, work, N, V, H);
  visibleMeans(mv, ph, params, work, N, V, H, gaussian);
  let sum: f64 = 0;
  const n = N * V;
  for (let i = 0; i < n; i++) {
    const d = <f64>f32At(v, i) - <f64>f32At(mv, i);
    sum += d * d;
  }
  return sum;
}

/**
 * `steps` block-Gibbs steps from v [N, V] (in place): h ~ p(h | v) (phase 2s), v ~ p(v | h)
 * (phase 2s + 1). mv [N, V] receives the means of the last p(v | h); ph [N, H] scratch.
 */
export function rbm_gibbs_f32(
  v: usize, mv: usize, ph: usize, params: usize, work: usize, N: i32, V: i32, H: i32, steps: i32, gaussian: i32, seed: u32,
): void {
  for (let s = 0; s < steps; s++) {
    hiddenProbabilities(ph, v, params, work, N, V, H);
    bernoulliFrom(ph, ph, N * H, phaseBase(seed, <u32>(2 * s)));
    visibleMeans(mv, ph, params, work, N, V, H, gaussian);
    if (gaussian) gaussianFrom(v, mv, N * V, 1, phaseBase(seed, <u32>(2 * s + 1)));
    else bernoulliFrom(v, mv, N * V, phaseBase(seed, <u32>(2 * s + 1)));
  }
}

/** Floats of scratch rbm_cd_step_f32 needs. */
export function rbm_cd_scratch_floats(B: i32, V: i32, H: i32): i32 {
  return 3 * B * H + 2 * B * V + V;
}

/**
 * One CD-k (mode 0) or PCD-k (mode 1: continue the chain's hidden samples chain [B, H]; mode 2:
 * start it from h0) step on the mini-batch v0 [B, V]; see the header. velocity f32 [V·H + V + H]
 * in the params layout; q f32 [H] the running mean activity (read only when sparsityCost > 0).
 */
export function rbm_cd_step_f32(
  params: usize, velocity: usize, chain: usize, q: usize, scratch: usize, work: usize, v0: usize,
  B: i32, V: i32, H: i32, k: i32, mode: i32, gaussian: i32,
  learningRate: f32, momentum: f32, weightDecay: f32, sparsityTarget: f32, sparsityCost: f32, seed: u32,
): f64 {
  const BH = B * H;
  const BV = B * V;
  const ph0 = scratch;
  const h = ph0 + (<usize>BH << 2);
  const phk = h + (<usize>BH << 2);
  const mv = phk + (<usize>BH << 2);
  const vk = mv + (<usize>BV << 2);
  const meanV0 = vk + (<usize>BV << 2);
  const VH = V * H;
  const b = params + (<usize>VH << 2);
  const a = b + (<usize>V << 2);

  // Positive phase, and the reconstruction from h0.
  hiddenProbabilities(ph0, v0, params, work, B, V, H);
  bernoulliFrom(h, ph0, BH, phaseBase(seed, 0));
  visibleMeans(mv, h, params, work, B, V, H, gaussian);
  let error: f64 = 0;
  for (let i = 0; i < BV; i++) {
    const d = <f64>f32At(v0, i) - <f64>f32At(mv, i);
    error += d * d;
  }
  if (mode == 2) memory.copy(chain, h, <usize>BH << 2);
  if (mode != 0) {
    memory.copy(h, chain, <usize>BH << 2);
    visibleMeans(mv, h, params, work, B, V, H, gaussian);
  }
  // The chain (mv already holds the means of p(v | h) for its first step).
  for (let s = 1; s <= k; s++) {
    if (s > 1) visibleMeans(mv, h, params, work, B, V, H, gaussian);
    if (gaussian) gaussianFrom(vk, mv, BV, 1, phaseBase(seed, <u32>(2 * s - 1)));
    else bernoulliFrom(vk, mv, BV, phaseBase(seed, <u32>(2 * s - 1)));
    hiddenProbabilities(phk, vk, params, work, B, V, H);
    bernoulliFrom(h, phk, BH, phaseBase(seed, <u32>(2 * s)));
  }
  if (mode != 0) memory.copy(chain, h, <usize>BH << 2);

  // Velocities: ΔW ← momentum·ΔW + (lr/B)·v0ᵀ·ph0 − (lr/B)·vkᵀ·phk, then the decay and sparsity terms.
  const scale: f32 = learningRate / <f32>B;
  gemm_f32(velocity, v0, ph0, work, V, H, B, V, H, H, TRANS, NO_TRANS, scale, momentum);
  gemm_f32(velocity, vk, phk, work, V, H, B, V, H, H, TRANS, NO_TRANS, -scale, 1);
  const vb = velocity + (<usize>VH << 2);
  const va = vb + (<usize>V << 2);
  for (let i = 0; i < V; i++) {
    let sum: f32 = 0;
    for (let r = 0; r < B; r++) sum += f32At(v0, r * V + i) - f32At(vk, r * V + i);
    let m: f32 = 0;
    for (let r = 0; r < B; r++) m += f32At(v0, r * V + i);
    store<f32>(meanV0 + (<usize>i << 2), m / <f32>B);
    const o = <usize>i << 2;
    store<f32>(vb + o, momentum * load<f32>(vb + o) + scale * sum);
  }
  const sparse = sparsityCost > 0;
  for (let j = 0; j < H; j++) {
    let sum: f32 = 0;
    let m: f32 = 0;
    for (let r = 0; r < B; r++) {
      const p0 = f32At(ph0, r * H + j);
      sum += p0 - f32At(phk, r * H + j);
      m += p0;
    }
    const o = <usize>j << 2;
    let update = scale * sum;
    if (sparse) {
      const qj = <f32>0.9 * load<f32>(q + o) + <f32>0.1 * (m / <f32>B);
      store<f32>(q + o, qj);
      update -= learningRate * (sparsityCost * (qj - sparsityTarget));
    }
    store<f32>(va + o, momentum * load<f32>(va + o) + update);
  }
  for (let i = 0; i < V; i++) {
    const mi = f32At(meanV0, i);
    for (let j = 0; j < H; j++) {
      const o = <usize>(i * H + j) << 2;
      let d = load<f32>(velocity + o) - learningRate * (weightDecay * load<f32>(params + o));
      if (sparse) d -= learningRate * (sparsityCost * (f32At(q, j) - sparsityTarget)) * mi;
      store<f32>(velocity + o, d);
    }
  }
  // Apply only when every new parameter is finite.
  const n = VH + V + H;
  for (let i = 0; i < n; i++) {
    const x = f32At(params, i) + f32At(velocity, i);
    if (!isFinite<f32>(x)) return NaN;
  }
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(params + o, load<f32>(params + o) + load<f32>(velocity + o));
  }
  return error;
}

/** pre f64 [H] = a + vᵀW for row v (f32 [V]), i ascending. */
function preActivations(pre: usize, v: usize, params: usize, V: i32, H: i32): void {
  const a = params + (<usize>(V * H + V) << 2);
  for (let j = 0; j < H; j++) store<f64>(pre + (<usize>j << 3), <f64>f32At(a, j));
  for (let i = 0; i < V; i++) {
    const vi = <f64>f32At(v, i);
    if (vi == 0) continue;
    const row = params + (<usize>(i * H) << 2);
    for (let j = 0; j < H; j++) {
      const o = pre + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + vi * <f64>f32At(row, j));
    }
  }
}

/** The visible term of −F: bᵀv (bernoulli) or −½‖v − b‖² (gaussian). */
function visibleTerm(v: usize, params: usize, V: i32, H: i32, gaussian: i32): f64 {
  const b = params + (<usize>(V * H) << 2);
  let t: f64 = 0;
  for (let i = 0; i < V; i++) {
    const vi = <f64>f32At(v, i);
    const bi = <f64>f32At(b, i);
    if (gaussian) t -= 0.5 * (vi - bi) * (vi - bi);
    else t += bi * vi;
  }
  return t;
}

/** out f64 [N] = F(v_n); pre f64 [H] scratch. */
export function rbm_free_energy_f64(out: usize, pre: usize, v: usize, params: usize, N: i32, V: i32, H: i32, gaussian: i32): void {
  for (let r = 0; r < N; r++) {
    const row = v + (<usize>(r * V) << 2);
    preActivations(pre, row, params, V, H);
    let f = -visibleTerm(row, params, V, H, gaussian);
    for (let j = 0; j < H; j++) f -= softplus(f64At(pre, j));
    store<f64>(out + (<usize>r << 3), f);
  }
}

/**
 * scikit-learn's score_samples (bernoulli visible units): for row n, unit i = ⌊u(seed, n)·V⌋
 * (u of random.ts: lowbias32(seedBase(seed) + n) / 2³²) is replaced by 1 − v_i, and
 * out f64 [N] = V·log σ(F(ṽ) − F(v)). pre f64 [H] scratch.
 */
export function rbm_pseudo_likelihood_f64(out: usize, pre: usize, v: usize, params: usize, N: i32, V: i32, H: i32, seed: u32): void {
  const base = seedBase(seed);
  const b = params + (<usize>(V * H) << 2);
  for (let r = 0; r < N; r++) {
    const row = v + (<usize>(r * V) << 2);
    let flip = <i32>(uniform(base, <u32>r) * <f64>V);
    if (flip >= V) flip = V - 1;
    preActivations(pre, row, params, V, H);
    const vi = <f64>f32At(row, flip);
    const d = (1 - vi) - vi;
    const wRow = params + (<usize>(flip * H) << 2);
    // F(ṽ) − F(v) = −b_i·d − Σ_j [softplus(pre_j + d·w_ij) − softplus(pre_j)]
    let diff = -<f64>f32At(b, flip) * d;
    for (let j = 0; j < H; j++) {
      const p = f64At(pre, j);
      diff -= softplus(p + d * <f64>f32At(wRow, j)) - softplus(p);
    }
    store<f64>(out + (<usize>r << 3), -<f64>V * softplus(-diff));
  }
}

/**
 * log Z exactly, by enumerating the 2ⁿ states of one layer in Gray-code order (one unit flips per
 * state, and x f64 [m] = the other layer's input is updated by ± a row or column of W):
 *   enumerateVisible = 1 (bernoulli only): n = V, term(v) = bᵀv + Σ_j softplus(a_j + (vW)_j)
 *   enumerateVisible = 0, bernoulli:      n = H, term(h) = aᵀh + Σ_i softplus(b_i + (Wh)_i)
 *   enumerateVisible = 0, gaussian:       n = H, term(h) = aᵀh + ½‖b + Wh‖² − ½‖b‖² + (V/2)·log 2π
 *                                         (the visible units integrated out analytically)
 * log Z = log Σ exp(term), summed as a running log-sum-exp in enumeration order.
 */
export function rbm_log_partition_f64(x: usize, params: usize, V: i32, H: i32, enumerateVisible: i32, gaussian: i32): f64 {
  const b = params + (<usize>(V * H) << 2);
  const a = b + (<usize>V << 2);
  const n = enumerateVisible ? V : H;
  const m = enumerateVisible ? H : V;
  const enumBias = enumerateVisible ? b : a;
  const otherBias = enumerateVisible ? a : b;
  let constant: f64 = 0;
  if (gaussian) {
    for (let i = 0; i < V; i++) constant -= 0.5 * <f64>f32At(b, i) * <f64>f32At(b, i);
    constant += 0.5 * <f64>V * Math.log(2 * Math.PI);
  }
  for (let i = 0; i < m; i++) store<f64>(x + (<usize>i << 3), <f64>f32At(otherBias, i));
  let linear: f64 = 0;
  let state: u32 = 0;
  let maxTerm: f64 = -Infinity;
  let sum: f64 = 0;
  const count: u32 = <u32>1 << <u32>n;
  for (let t: u32 = 0; t < count; t++) {
    if (t > 0) {
      const k = <i32>ctz<u32>(t);
      state ^= <u32>1 << <u32>k;
      const sign: f64 = (state >> <u32>k) & 1 ? 1 : -1;
      linear += sign * <f64>f32At(enumBias, k);
      for (let i = 0; i < m; i++) {
        const w = enumerateVisible ? f32At(params, k * H + i) : f32At(params, i * H + k);
        const o = x + (<usize>i << 3);
        store<f64>(o, load<f64>(o) + sign * <f64>w);
      }
    }
    let term = linear + constant;
    for (let i = 0; i < m; i++) {
      const xi = f64At(x, i);
      term += gaussian ? 0.5 * xi * xi : softplus(xi);
    }
    if (term > maxTerm) {
      sum = sum * Math.exp(maxTerm - term) + 1;
      maxTerm = term;
    } else {
      sum += Math.exp(term - maxTerm);
    }
  }
  return maxTerm + Math.log(sum);
}

/**
 * Annealed importance sampling (Salakhutdinov & Murray 2008), bernoulli visible units. The base
 * model has W = 0, visible biases bA f32 [V] and H hidden units with zero biases; the
 * intermediate distributions are
 *   log p*_β(v) = (1 − β)·bAᵀv + β·bᵀv + Σ_j softplus(β·(a_j + (vW)_j))
 * (β = 0: the base model, log Z_0 = Σ_i softplus(bA_i) + H·log 2; β = 1: the RBM). Chain c
 * starts at v ~ p_0 (phase 0, counter c·V + i) and, for k = 1 … K − 1,
 *   logw_c += log p*_{β_k}(v) − log p*_{β_{k−1}}(v)
 *   then (k < K − 1) one Gibbs transition at β_k: h_j ~ σ(β_k·(a_j + (vW)_j)) (phase 2k − 1,
 *   counter c·H + j), v_i ~ σ((1 − β_k)·bA_i + β_k·(b_i + (Wh)_i)) (phase 2k, counter c·V + i).
 * betas f64 [K] from 0 to 1; logw f64 [M] out; v f64 [V], hs f64 [H], pre f64 [H] scratch.
 */
export function rbm_ais_f64(
  logw: usize, v: usize, hs: usize, pre: usize, params: usize, bA: usize, betas: usize, M: i32, V: i32, H: i32, K: i32, seed: u32,
): void {
  const b = params + (<usize>(V * H) << 2);
  const a = b + (<usize>V << 2);
  for (let c = 0; c < M; c++) {
    const base0 = phaseBase(seed, 0);
    for (let i = 0; i < V; i++) {
      const p = 1 / (1 + Math.exp(-<f64>f32At(bA, i)));
      store<f64>(v + (<usize>i << 3), uniform(base0, <u32>(c * V + i)) < p ? 1 : 0);
    }
    let w: f64 = 0;
    for (let k = 1; k < K; k++) {
      // pre = a + vᵀW; the weight update uses the same v at β_k and β_{k−1}.
      for (let j = 0; j < H; j++) store<f64>(pre + (<usize>j << 3), <f64>f32At(a, j));
      let baseTerm: f64 = 0;
      let modelTerm: f64 = 0;
      for (let i = 0; i < V; i++) {
        const vi = f64At(v, i);
        if (vi == 0) continue;
        baseTerm += <f64>f32At(bA, i);
        modelTerm += <f64>f32At(b, i);
        const row = params + (<usize>(i * H) << 2);
        for (let j = 0; j < H; j++) {
          const o = pre + (<usize>j << 3);
          store<f64>(o, load<f64>(o) + <f64>f32At(row, j));
        }
      }
      const beta = f64At(betas, k);
      const previous = f64At(betas, k - 1);
      let delta = (previous - beta) * baseTerm + (beta - previous) * modelTerm;
      for (let j = 0; j < H; j++) {
        const p = f64At(pre, j);
        delta += softplus(beta * p) - softplus(previous * p);
      }
      w += delta;
      if (k == K - 1) break;
      const baseH = phaseBase(seed, <u32>(2 * k - 1));
      for (let j = 0; j < H; j++) {
        const p = 1 / (1 + Math.exp(-beta * f64At(pre, j)));
        store<f64>(hs + (<usize>j << 3), uniform(baseH, <u32>(c * H + j)) < p ? 1 : 0);
      }
      const baseV = phaseBase(seed, <u32>(2 * k));
      for (let i = 0; i < V; i++) {
        let x: f64 = 0;
        const row = params + (<usize>(i * H) << 2);
        for (let j = 0; j < H; j++) x += <f64>f32At(row, j) * f64At(hs, j);
        const input = (1 - beta) * <f64>f32At(bA, i) + beta * (<f64>f32At(b, i) + x);
        const p = 1 / (1 + Math.exp(-input));
        store<f64>(v + (<usize>i << 3), uniform(baseV, <u32>(c * V + i)) < p ? 1 : 0);
      }
    }
    store<f64>(logw + (<usize>c << 3), w);
  }
}

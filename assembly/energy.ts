// Energy-based models (issue #14), f64 kernels. First: the Hopfield network.
//
//   states  s ∈ {−1, +1}ᴺ (bipolar) or {0, 1}ᴺ (binary), f64 [N]
//   weights W f64 [N, N], row-major, symmetric, zero diagonal (every kernel keeps both:
//           it writes w_ij and w_ji with the same value and never touches w_ii)
//   field   h_i = Σ_k w_ik·s_k (k ascending)
//   update  s_i ← +1 if h_i > θ, low if h_i < θ (low = −1 or 0), unchanged if h_i = θ
//   energy  E(s) = −½·Σ_i s_i·h_i + θ·Σ_i s_i
//   patterns ξ f64 [P, N] (row p = pattern p), always bipolar (the caller maps 0/1 → ±1)
//
// No SIMD paths: every sum runs in one fixed order, so both builds give the same bits.

// @ts-ignore: decorator
@inline function field(w: usize, s: usize, i: i32, N: i32): f64 {
  const row = w + (<usize>i * <usize>N << 3);
  let h: f64 = 0;
  for (let k = 0; k < N; k++) h += load<f64>(row + (<usize>k << 3)) * load<f64>(s + (<usize>k << 3));
  return h;
}

// @ts-ignore: decorator
@inline function setPair(w: usize, i: i32, j: i32, N: i32, v: f64): void {
  store<f64>(w + (<usize>(i * N + j) << 3), v);
  store<f64>(w + (<usize>(j * N + i) << 3), v);
}

/** Hebb: w_ij += scale·ξ_i·ξ_j for i ≠ j (one pattern ξ [N]). */
export function hopfield_hebbian_f64(w: usize, xi: usize, N: i32, scale: f64): void {
  for (let i = 0; i < N; i++) {
    const xii = load<f64>(xi + (<usize>i << 3));
    for (let j = i + 1; j < N; j++) {
      const v = load<f64>(w + (<usize>(i * N + j) << 3)) + scale * (xii * load<f64>(xi + (<usize>j << 3)));
      setPair(w, i, j, N, v);
    }
  }
}

/**
 * Storkey (1997): w_ij += scale·(ξ_i·ξ_j − ξ_i·h_ji − h_ij·ξ_j) for i ≠ j, with the old W,
 * h_ij = Σ_{k≠i,j} w_ik·ξ_k = h_i − w_ij·ξ_j (w_ii = 0). h f64 [N] scratch (the fields h_i).
 */
export function hopfield_storkey_f64(w: usize, h: usize, xi: usize, N: i32, scale: f64): void {
  for (let i = 0; i < N; i++) store<f64>(h + (<usize>i << 3), field(w, xi, i, N));
  for (let i = 0; i < N; i++) {
    const xii = load<f64>(xi + (<usize>i << 3));
    const hi = load<f64>(h + (<usize>i << 3));
    for (let j = i + 1; j < N; j++) {
      const xij = load<f64>(xi + (<usize>j << 3));
      const wij = load<f64>(w + (<usize>(i * N + j) << 3));
      const hij = hi - wij * xij;
      const hji = load<f64>(h + (<usize>j << 3)) - wij * xii;
      setPair(w, i, j, N, wij + scale * (xii * xij - xii * hji - hij * xij));
    }
  }
}

/** The Gram matrix g f64 [P, P] = ξ·ξᵀ (both triangles), ξ [P, N]. */
export function hopfield_gram_f64(g: usize, xi: usize, P: i32, N: i32): void {
  for (let p = 0; p < P; p++) {
    for (let q = p; q < P; q++) {
      let sum: f64 = 0;
      for (let j = 0; j < N; j++) sum += load<f64>(xi + (<usize>(p * N + j) << 3)) * load<f64>(xi + (<usize>(q * N + j) << 3));
      store<f64>(g + (<usize>(p * P + q) << 3), sum);
      store<f64>(g + (<usize>(q * P + p) << 3), sum);
    }
  }
}

/**
 * The projection (pseudo-inverse) rule's W = B·ξ off the diagonal, B f64 [N, P] = ξᵀ·(ξ·ξᵀ)⁻¹
 * (esn_ridge_solve's W_out); w_ij for i < j is summed over p and copied to w_ji; w_ii = 0.
 */
export function hopfield_project_f64(w: usize, b: usize, xi: usize, N: i32, P: i32): void {
  for (let i = 0; i < N; i++) {
    store<f64>(w + (<usize>(i * N + i) << 3), 0);
    for (let j = i + 1; j < N; j++) {
      let sum: f64 = 0;
      for (let p = 0; p < P; p++) sum += load<f64>(b + (<usize>(i * P + p) << 3)) * load<f64>(xi + (<usize>(p * N + j) << 3));
      setPair(w, i, j, N, sum);
    }
  }
}

/**
 * Asynchronous updates: for t = 0 … count − 1, unit i = order[t] (i32) takes its new value from
 * its field on the current state s (updated in place). Returns the number of units that changed.
 */
export function hopfield_update_f64(s: usize, w: usize, order: usize, count: i32, N: i32, theta: f64, binary: i32): i32 {
  const low: f64 = binary ? 0 : -1;
  let changed = 0;
  for (let t = 0; t < count; t++) {
    const i = load<i32>(order + (<usize>t << 2));
    const h = field(w, s, i, N);
    const p = s + (<usize>i << 3);
    const old = load<f64>(p);
    const next = h > theta ? 1.0 : h < theta ? low : old;
    if (next != old) {
      store<f64>(p, next);
      changed++;
    }
  }
  return changed;
}

/**
 * Synchronous update: next_i from the fields of s (all units at once). Returns the number of
 * units where next ≠ s, plus 2³⁰ when prev ≠ 0 and next = prev (a 2-cycle when next ≠ s).
 */
export function hopfield_sync_f64(next: usize, s: usize, prev: usize, w: usize, N: i32, theta: f64, binary: i32): i32 {
  const low: f64 = binary ? 0 : -1;
  let changed = 0;
  let same = 1;
  for (let i = 0; i < N; i++) {
    const h = field(w, s, i, N);
    const old = load<f64>(s + (<usize>i << 3));
    const v = h > theta ? 1.0 : h < theta ? low : old;
    store<f64>(next + (<usize>i << 3), v);
    if (v != old) changed++;
    if (prev != 0 && v != load<f64>(prev + (<usize>i << 3))) same = 0;
  }
  return changed | (prev != 0 && same ? 1 << 30 : 0);
}

/** E(s) = −½·Σ_i s_i·h_i + θ·Σ_i s_i (i ascending). */
export function hopfield_energy_f64(s: usize, w: usize, N: i32, theta: f64): f64 {
  let quad: f64 = 0;
  let sum: f64 = 0;
  for (let i = 0; i < N; i++) {
    const si = load<f64>(s + (<usize>i << 3));
    quad += si * field(w, s, i, N);
    sum += si;
  }
  return -0.5 * quad + theta * sum;
}

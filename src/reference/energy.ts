// Plain-TypeScript f64 reference of the Hopfield network (assembly/energy.ts), written as the
// equations. W is number[][] (N × N); states and patterns are number[].
//   Hebb      w_ij = (1/N)·Σ_μ ξ_i^μ ξ_j^μ  (i ≠ j)
//   Storkey   w_ij += (1/N)·(ξ_i ξ_j − ξ_i h_ji − h_ij ξ_j),  h_ij = Σ_{k ≠ i, j} w_ik ξ_k
//   pinv      W = ξᵀ (ξ ξᵀ)⁻¹ ξ, diagonal set to 0
//   update    s_i ← +1 if h_i > θ, low (−1 or 0) if h_i < θ, else unchanged;  h_i = Σ_j w_ij s_j
//   energy    E(s) = −½ Σ_ij w_ij s_i s_j + θ Σ_i s_i

export function zeros(N: number): number[][] {
  return Array.from({ length: N }, () => new Array<number>(N).fill(0));
}

export function hebbian(w: number[][], xi: readonly number[]): void {
  const N = xi.length;
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) w[i][j] += (xi[i] * xi[j]) / N;
}

export function storkey(w: number[][], xi: readonly number[]): void {
  const N = xi.length;
  const h = (i: number, j: number): number => {
    let sum = 0;
    for (let k = 0; k < N; k++) if (k !== i && k !== j) sum += w[i][k] * xi[k];
    return sum;
  };
  const delta = zeros(N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) delta[i][j] = (xi[i] * xi[j] - xi[i] * h(j, i) - h(i, j) * xi[j]) / N;
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) w[i][j] += delta[i][j];
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A small, well conditioned). */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

export function pseudoinverse(patterns: readonly (readonly number[])[]): number[][] {
  const P = patterns.length;
  const N = patterns[0].length;
  const gram = patterns.map((a) => patterns.map((b) => a.reduce((s, v, j) => s + v * b[j], 0)));
  // C = (ξξᵀ)⁻¹ ξ, column by column: C[:, j] solves G c = ξ[:, j].
  const c = zeros(N).slice(0, P).map(() => new Array<number>(N).fill(0));
  for (let j = 0; j < N; j++) {
    const col = solve(gram, patterns.map((p) => p[j]));
    for (let p = 0; p < P; p++) c[p][j] = col[p];
  }
  const w = zeros(N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (i !== j) for (let p = 0; p < P; p++) w[i][j] += patterns[p][i] * c[p][j];
  return w;
}

export function localField(w: readonly (readonly number[])[], s: readonly number[], i: number): number {
  return w[i].reduce((sum, wij, j) => sum + wij * s[j], 0);
}

export function updateUnit(w: readonly (readonly number[])[], s: number[], i: number, theta: number, binary: boolean): void {
  const h = localField(w, s, i);
  if (h > theta) s[i] = 1;
  else if (h < theta) s[i] = binary ? 0 : -1;
}

export function syncStep(w: readonly (readonly number[])[], s: readonly number[], theta: number, binary: boolean): number[] {
  return s.map((si, i) => {
    const h = localField(w, s, i);
    return h > theta ? 1 : h < theta ? (binary ? 0 : -1) : si;
  });
}

export function energy(w: readonly (readonly number[])[], s: readonly number[], theta: number): number {
  let quad = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) quad += w[i][j] * s[i] * s[j];
  return -0.5 * quad + theta * s.reduce((a, b) => a + b, 0);
}

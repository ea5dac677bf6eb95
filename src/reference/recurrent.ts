// Plain-TypeScript (f64) SimpleRNN, LSTM and GRU: forward and BPTT backward,
// written to be checked against the equations line by line. The oracle for
// assembly/{rnn,lstm,gru}.ts and the JS baseline in benchmarks.
//
// Layouts are the kernels' (row-major, time-major):
//   x [T, B, I]; weightIh [I, G·H]; weightHh [H, G·H]; biases [G·H]; states [B, H].
//   Gate blocks (each H wide) in the G·H columns:
//     SimpleRNN  G = 1
//     LSTM       standard, peephole: i, f, g, o (G = 4); coupled, noForget: i, g, o (G = 3)
//     GRU        r, z, n (G = 3)
//   peephole [3H]: p_i, p_f, p_o.
//   mask [T, B] (optional): 1 = real step, 0 = padded step. At a padded step (t, b) the state
//   does not advance (h_t = h_{t−1}, c_t = c_{t−1}); in backward it adds nothing to any
//   gradient (dz = 0) and the gradient arriving at h_t, c_t passes unchanged to h_{t−1}, c_{t−1}.

export type RnnActivation = 'tanh' | 'relu' | 'sigmoid';
export type LstmVariant = 'standard' | 'peephole' | 'coupled' | 'noForget';
export type GruVariant = 'resetAfter' | 'resetBefore';
export type GateActivation = 'sigmoid' | 'hardSigmoid';

export interface Dims {
  T: number;
  B: number;
  I: number;
  H: number;
}

type F64 = Float64Array;
/** [T, B] of 1 (real step) and 0 (padded step), or null: every step is real. */
export type Mask = ArrayLike<number> | null;

const padded = (mask: Mask, t: number, B: number, b: number) => mask !== null && mask[t * B + b] === 0;

/** Padded step (t, b) in backward: dh_{t−1}[b] = dh_t[b] + dOutput_t[b]. */
function passGradient(dhPrev: F64, dh: F64, dOutput: ArrayLike<number> | null, t: number, B: number, b: number, H: number): void {
  for (let j = 0; j < H; j++) dhPrev[b * H + j] = dh[b * H + j] + (dOutput ? dOutput[(t * B + b) * H + j] : 0);
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const hardSigmoid = (x: number) => Math.min(1, Math.max(0, 0.2 * x + 0.5));
/** Derivative from the output y. */
const dSigmoid = (y: number) => y * (1 - y);
const dHardSigmoid = (y: number) => (y > 0 && y < 1 ? 0.2 : 0);
const dTanh = (y: number) => 1 - y * y;

export function gateFunctions(kind: GateActivation): { f: (x: number) => number; df: (y: number) => number } {
  return kind === 'sigmoid' ? { f: sigmoid, df: dSigmoid } : { f: hardSigmoid, df: dHardSigmoid };
}

export function rnnActivationFunctions(kind: RnnActivation): { f: (x: number) => number; df: (y: number) => number } {
  if (kind === 'tanh') return { f: Math.tanh, df: dTanh };
  if (kind === 'relu') return { f: (x) => Math.max(0, x), df: (y) => (y > 0 ? 1 : 0) };
  return { f: sigmoid, df: dSigmoid };
}

/** out[b, j] = Σ_k in[b, k] · w[k, j] for the G·H columns of w; added to out. */
function addMatVec(out: F64, outOffset: number, input: ArrayLike<number>, inOffset: number, w: ArrayLike<number>, K: number, N: number): void {
  for (let k = 0; k < K; k++) {
    const v = input[inOffset + k];
    if (v === 0) continue;
    for (let j = 0; j < N; j++) out[outOffset + j] += v * w[k * N + j];
  }
}

/** dIn[k] += Σ_j dOut[j] · w[k, j]  (dIn = dOut · wᵀ). */
function addMatTVec(dIn: F64, inOffset: number, dOut: ArrayLike<number>, outOffset: number, w: ArrayLike<number>, K: number, N: number): void {
  for (let k = 0; k < K; k++) {
    let s = 0;
    for (let j = 0; j < N; j++) s += dOut[outOffset + j] * w[k * N + j];
    dIn[inOffset + k] += s;
  }
}

/** dW[k, j] += in[k] · dOut[j]. */
function addOuter(dW: F64, input: ArrayLike<number>, inOffset: number, dOut: ArrayLike<number>, outOffset: number, K: number, N: number): void {
  for (let k = 0; k < K; k++) {
    const v = input[inOffset + k];
    for (let j = 0; j < N; j++) dW[k * N + j] += v * dOut[outOffset + j];
  }
}

// ---------------------------------------------------------------- SimpleRNN

export interface RnnParams {
  weightIh: F64;
  /** [H, H] (elman, residual), u [H] (diagonal); unused (linear). */
  weightHh: F64;
  bias: F64;
}

/** The recurrences of the SimpleRNN. */
export type RnnVariant = 'elman' | 'linear' | 'residual' | 'diagonal';

/**
 * elman     h_t = f(x_t·W_ih + h_{t−1}·W_hh + b)
 * linear    h_t = h_{t−1} + f(x_t·W_ih + b)
 * residual  h_t = h_{t−1} + f(x_t·W_ih + h_{t−1}·W_hh + b)
 * diagonal  h_t = f(x_t·W_ih + u ⊙ h_{t−1} + b)
 * Returns hAll [(T+1), B, H] with hAll[0] = h0, and act [T, B, H] = a_t = f(…) of each real step.
 */
export function rnnForwardReference(
  p: RnnParams, d: Dims, activation: RnnActivation, x: ArrayLike<number>, h0: ArrayLike<number>, mask: Mask = null, variant: RnnVariant = 'elman',
): { hAll: F64; act: F64 } {
  const { T, B, I, H } = d;
  const { f } = rnnActivationFunctions(activation);
  const hAll = new Float64Array((T + 1) * B * H);
  const act = new Float64Array(T * B * H);
  hAll.set(h0);
  const z = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const s = (t * B + b) * H; // h_{t−1}[b]; h_t[b] is at s + B·H
      if (padded(mask, t, B, b)) {
        hAll.copyWithin(s + B * H, s, s + H); // h_t = h_{t−1}
        continue;
      }
      z.set(p.bias);
      addMatVec(z, 0, x, (t * B + b) * I, p.weightIh, I, H);
      if (variant === 'elman' || variant === 'residual') addMatVec(z, 0, hAll, s, p.weightHh, H, H);
      if (variant === 'diagonal') for (let j = 0; j < H; j++) z[j] += p.weightHh[j] * hAll[s + j];
      for (let j = 0; j < H; j++) {
        const a = f(z[j]);
        act[s + j] = a;
        hAll[s + B * H + j] = variant === 'linear' || variant === 'residual' ? hAll[s + j] + a : a;
      }
    }
  }
  return { hAll, act };
}

export interface RnnGradients {
  dX: F64;
  dWeightIh: F64;
  dWeightHh: F64;
  dBias: F64;
  dh0: F64;
}

/**
 * BPTT. dOutput [T, B, H] (gradient at every step, may be null), dhT [B, H] (may be null); `act` is
 * forward's (needed by linear and residual). With the gradient at h_t, γ = dh + dOutput_t:
 * dz = γ ⊙ f′(a_t); dh_{t−1} = dz·W_hhᵀ (elman), γ + dz·W_hhᵀ (residual), γ (linear), dz ⊙ u (diagonal).
 */
export function rnnBackwardReference(
  p: RnnParams, d: Dims, activation: RnnActivation, x: ArrayLike<number>, hAll: F64,
  dOutput: ArrayLike<number> | null, dhT: ArrayLike<number> | null, mask: Mask = null, variant: RnnVariant = 'elman', act: F64 | null = null,
): RnnGradients {
  const { T, B, I, H } = d;
  const { df } = rnnActivationFunctions(activation);
  const keeps = variant === 'linear' || variant === 'residual';
  const g: RnnGradients = {
    dX: new Float64Array(T * B * I), dWeightIh: new Float64Array(I * H), dWeightHh: new Float64Array(variant === 'diagonal' ? H : variant === 'linear' ? 0 : H * H),
    dBias: new Float64Array(H), dh0: new Float64Array(B * H),
  };
  const dh = new Float64Array(B * H);
  if (dhT) dh.set(dhT);
  const dz = new Float64Array(H);
  for (let t = T - 1; t >= 0; t--) {
    const dhPrev = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      if (padded(mask, t, B, b)) {
        passGradient(dhPrev, dh, dOutput, t, B, b, H);
        continue;
      }
      const s = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const total = dh[b * H + j] + (dOutput ? dOutput[s + j] : 0);
        dz[j] = total * df(keeps ? act![s + j] : hAll[s + B * H + j]);
        g.dBias[j] += dz[j];
        if (keeps) dhPrev[b * H + j] += total;
        if (variant === 'diagonal') {
          g.dWeightHh[j] += dz[j] * hAll[s + j];
          dhPrev[b * H + j] += dz[j] * p.weightHh[j];
        }
      }
      addOuter(g.dWeightIh, x, (t * B + b) * I, dz, 0, I, H);
      addMatTVec(g.dX, (t * B + b) * I, dz, 0, p.weightIh, I, H);
      if (variant === 'elman' || variant === 'residual') {
        addOuter(g.dWeightHh, hAll, s, dz, 0, H, H);
        addMatTVec(dhPrev, b * H, dz, 0, p.weightHh, H, H);
      }
    }
    dh.set(dhPrev);
  }
  g.dh0.set(dh);
  return g;
}

// ---------------------------------------------------------------- LSTM

export interface LstmParams {
  weightIh: F64;
  weightHh: F64;
  bias: F64;
  /** [3H]: p_i, p_f, p_o; only for the peephole variant. */
  peephole?: F64;
}

export function lstmGates(variant: LstmVariant): number {
  return variant === 'standard' || variant === 'peephole' ? 4 : 3;
}

export interface LstmForward {
  hAll: F64; // [(T+1), B, H]
  cAll: F64; // [(T+1), B, H]
  /** Activated gates [T, B, G·H]: i, f, g, o or i, g, o. */
  gates: F64;
}

/**
 * standard:  i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)
 *            c_t = f⊙c_{t−1} + i⊙g      h_t = o⊙tanh(c_t)
 * peephole:  i = σ(z_i + p_i⊙c_{t−1})  f = σ(z_f + p_f⊙c_{t−1})  o = σ(z_o + p_o⊙c_t)
 * coupled:   f = 1 − i                  (gates i, g, o)
 * noForget:  c_t = c_{t−1} + i⊙g        (gates i, g, o)
 * with z = x_t·W_ih + h_{t−1}·W_hh + b and σ the gate activation.
 */
export function lstmForwardReference(
  p: LstmParams, d: Dims, variant: LstmVariant, gateActivation: GateActivation,
  x: ArrayLike<number>, h0: ArrayLike<number>, c0: ArrayLike<number>, mask: Mask = null,
): LstmForward {
  const { T, B, I, H } = d;
  const G = lstmGates(variant);
  const { f: sg } = gateFunctions(gateActivation);
  const hAll = new Float64Array((T + 1) * B * H);
  const cAll = new Float64Array((T + 1) * B * H);
  const gates = new Float64Array(T * B * G * H);
  hAll.set(h0);
  cAll.set(c0);
  const z = new Float64Array(G * H);
  const four = G === 4;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const s = (t * B + b) * H; // row of step t in [T, B, H]
      if (padded(mask, t, B, b)) {
        hAll.copyWithin(s + B * H, s, s + H); // h_t = h_{t−1}
        cAll.copyWithin(s + B * H, s, s + H); // c_t = c_{t−1}
        continue;
      }
      z.set(p.bias);
      addMatVec(z, 0, x, (t * B + b) * I, p.weightIh, I, G * H);
      addMatVec(z, 0, hAll, s, p.weightHh, H, G * H);
      const gateRow = (t * B + b) * G * H;
      for (let j = 0; j < H; j++) {
        const cPrev = cAll[s + j];
        const peep = variant === 'peephole';
        const zi = z[j];
        const zf = four ? z[H + j] : 0;
        const zg = z[(four ? 2 : 1) * H + j];
        const zo = z[(four ? 3 : 2) * H + j];
        const i = sg(zi + (peep ? p.peephole![j] * cPrev : 0));
        const fg = variant === 'coupled' ? 1 - i : variant === 'noForget' ? 1 : sg(zf + (peep ? p.peephole![H + j] * cPrev : 0));
        const g = Math.tanh(zg);
        const c = fg * cPrev + i * g;
        const o = sg(zo + (peep ? p.peephole![2 * H + j] * c : 0));
        cAll[s + B * H + j] = c;
        hAll[s + B * H + j] = o * Math.tanh(c);
        gates[gateRow + j] = i;
        if (four) {
          gates[gateRow + H + j] = fg;
          gates[gateRow + 2 * H + j] = g;
          gates[gateRow + 3 * H + j] = o;
        } else {
          gates[gateRow + H + j] = g;
          gates[gateRow + 2 * H + j] = o;
        }
      }
    }
  }
  return { hAll, cAll, gates };
}

export interface LstmGradients {
  dX: F64;
  dWeightIh: F64;
  dWeightHh: F64;
  dBias: F64;
  dPeephole: F64;
  dh0: F64;
  dc0: F64;
}

export function lstmBackwardReference(
  p: LstmParams, d: Dims, variant: LstmVariant, gateActivation: GateActivation,
  x: ArrayLike<number>, fwd: LstmForward,
  dOutput: ArrayLike<number> | null, dhT: ArrayLike<number> | null, dcT: ArrayLike<number> | null, mask: Mask = null,
): LstmGradients {
  const { T, B, I, H } = d;
  const G = lstmGates(variant);
  const four = G === 4;
  const { df: dsg } = gateFunctions(gateActivation);
  const peep = variant === 'peephole';
  const gr: LstmGradients = {
    dX: new Float64Array(T * B * I), dWeightIh: new Float64Array(I * G * H), dWeightHh: new Float64Array(H * G * H),
    dBias: new Float64Array(G * H), dPeephole: new Float64Array(3 * H), dh0: new Float64Array(B * H), dc0: new Float64Array(B * H),
  };
  const dh = new Float64Array(B * H);
  const dc = new Float64Array(B * H);
  if (dhT) dh.set(dhT);
  if (dcT) dc.set(dcT);
  const dz = new Float64Array(G * H);
  for (let t = T - 1; t >= 0; t--) {
    const dhPrev = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      if (padded(mask, t, B, b)) {
        passGradient(dhPrev, dh, dOutput, t, B, b, H); // dc passes unchanged
        continue;
      }
      const s = (t * B + b) * H;
      const gateRow = (t * B + b) * G * H;
      for (let j = 0; j < H; j++) {
        const i = fwd.gates[gateRow + j];
        const fg = four ? fwd.gates[gateRow + H + j] : variant === 'coupled' ? 1 - i : 1;
        const g = fwd.gates[gateRow + (four ? 2 : 1) * H + j];
        const o = fwd.gates[gateRow + (four ? 3 : 2) * H + j];
        const cPrev = fwd.cAll[s + j];
        const c = fwd.cAll[s + B * H + j];
        const tc = Math.tanh(c);
        const dhj = dh[b * H + j] + (dOutput ? dOutput[s + j] : 0);
        // h = o⊙tanh(c)
        const dzo = dhj * tc * dsg(o);
        let dcj = dc[b * H + j] + dhj * o * (1 - tc * tc);
        if (peep) dcj += dzo * p.peephole![2 * H + j]; // o saw c_t
        // c = f⊙c_prev + i⊙g   (coupled: f = 1 − i; noForget: f = 1)
        let di = dcj * g;
        if (variant === 'coupled') di -= dcj * cPrev;
        const dzi = di * dsg(i);
        const dzg = dcj * i * (1 - g * g);
        const dzf = four ? dcj * cPrev * dsg(fg) : 0;
        let dcPrev = dcj * fg;
        if (peep) {
          dcPrev += dzi * p.peephole![j] + dzf * p.peephole![H + j];
          gr.dPeephole[j] += dzi * cPrev;
          gr.dPeephole[H + j] += dzf * cPrev;
          gr.dPeephole[2 * H + j] += dzo * c;
        }
        dc[b * H + j] = dcPrev;
        dz[j] = dzi;
        if (four) {
          dz[H + j] = dzf;
          dz[2 * H + j] = dzg;
          dz[3 * H + j] = dzo;
        } else {
          dz[H + j] = dzg;
          dz[2 * H + j] = dzo;
        }
      }
      for (let j = 0; j < G * H; j++) gr.dBias[j] += dz[j];
      addOuter(gr.dWeightIh, x, (t * B + b) * I, dz, 0, I, G * H);
      addOuter(gr.dWeightHh, fwd.hAll, s, dz, 0, H, G * H);
      addMatTVec(gr.dX, (t * B + b) * I, dz, 0, p.weightIh, I, G * H);
      addMatTVec(dhPrev, b * H, dz, 0, p.weightHh, H, G * H);
    }
    dh.set(dhPrev);
  }
  gr.dh0.set(dh);
  gr.dc0.set(dc);
  return gr;
}

// ---------------------------------------------------------------- GRU

export interface GruParams {
  weightIh: F64; // [I, 3H]  r, z, n
  weightHh: F64; // [H, 3H]
  biasIh: F64; // [3H]
  /** [3H]; reset-after only (reset-before has the one bias, biasIh). */
  biasHh: F64;
}

export interface GruForward {
  hAll: F64; // [(T+1), B, H]
  gates: F64; // [T, B, 3H]  r, z, n
  /** [T, B, H]: reset-after: h_{t−1}·W_hn + b_hn; reset-before: r⊙h_{t−1}. */
  extra: F64;
}

/**
 * resetAfter:  r = σ(x·W_ir + b_ir + h·W_hr + b_hr)   z likewise
 *              n = tanh(x·W_in + b_in + r⊙(h·W_hn + b_hn))
 * resetBefore: r = σ(x·W_ir + h·W_hr + b_r)            z likewise
 *              n = tanh(x·W_in + (r⊙h)·W_hn + b_n)
 * both:        h_t = z⊙h_{t−1} + (1 − z)⊙n
 */
export function gruForwardReference(
  p: GruParams, d: Dims, variant: GruVariant, gateActivation: GateActivation, x: ArrayLike<number>, h0: ArrayLike<number>,
  mask: Mask = null,
): GruForward {
  const { T, B, I, H } = d;
  const { f: sg } = gateFunctions(gateActivation);
  const after = variant === 'resetAfter';
  const hAll = new Float64Array((T + 1) * B * H);
  const gates = new Float64Array(T * B * 3 * H);
  const extra = new Float64Array(T * B * H);
  hAll.set(h0);
  const zx = new Float64Array(3 * H);
  const zh = new Float64Array(3 * H);
  const rh = new Float64Array(H);
  const zn = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const s = (t * B + b) * H;
      if (padded(mask, t, B, b)) {
        hAll.copyWithin(s + B * H, s, s + H); // h_t = h_{t−1}
        continue;
      }
      zx.set(p.biasIh);
      addMatVec(zx, 0, x, (t * B + b) * I, p.weightIh, I, 3 * H);
      if (after) zh.set(p.biasHh);
      else zh.fill(0);
      addMatVec(zh, 0, hAll, s, p.weightHh, H, 3 * H); // the n block is recomputed below for reset-before
      const gateRow = (t * B + b) * 3 * H;
      for (let j = 0; j < H; j++) {
        gates[gateRow + j] = sg(zx[j] + zh[j]);
        gates[gateRow + H + j] = sg(zx[H + j] + zh[H + j]);
      }
      if (!after) {
        for (let j = 0; j < H; j++) rh[j] = gates[gateRow + j] * hAll[s + j];
        zn.fill(0);
        for (let k = 0; k < H; k++) for (let j = 0; j < H; j++) zn[j] += rh[k] * p.weightHh[k * 3 * H + 2 * H + j];
      }
      for (let j = 0; j < H; j++) {
        const r = gates[gateRow + j];
        const z = gates[gateRow + H + j];
        const n = after ? Math.tanh(zx[2 * H + j] + r * zh[2 * H + j]) : Math.tanh(zx[2 * H + j] + zn[j]);
        gates[gateRow + 2 * H + j] = n;
        extra[s + j] = after ? zh[2 * H + j] : rh[j];
        hAll[s + B * H + j] = z * hAll[s + j] + (1 - z) * n;
      }
    }
  }
  return { hAll, gates, extra };
}

export interface GruGradients {
  dX: F64;
  dWeightIh: F64;
  dWeightHh: F64;
  dBiasIh: F64;
  dBiasHh: F64;
  dh0: F64;
}

export function gruBackwardReference(
  p: GruParams, d: Dims, variant: GruVariant, gateActivation: GateActivation,
  x: ArrayLike<number>, fwd: GruForward, dOutput: ArrayLike<number> | null, dhT: ArrayLike<number> | null, mask: Mask = null,
): GruGradients {
  const { T, B, I, H } = d;
  const { df: dsg } = gateFunctions(gateActivation);
  const after = variant === 'resetAfter';
  const gr: GruGradients = {
    dX: new Float64Array(T * B * I), dWeightIh: new Float64Array(I * 3 * H), dWeightHh: new Float64Array(H * 3 * H),
    dBiasIh: new Float64Array(3 * H), dBiasHh: new Float64Array(3 * H), dh0: new Float64Array(B * H),
  };
  const dh = new Float64Array(B * H);
  if (dhT) dh.set(dhT);
  const dzx = new Float64Array(3 * H); // gradient of the input pre-activations
  const dzh = new Float64Array(3 * H); // gradient of the recurrent pre-activations (h·W_hh + b_hh)
  const drh = new Float64Array(H);
  for (let t = T - 1; t >= 0; t--) {
    const dhPrev = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      if (padded(mask, t, B, b)) {
        passGradient(dhPrev, dh, dOutput, t, B, b, H);
        continue;
      }
      const s = (t * B + b) * H;
      const gateRow = (t * B + b) * 3 * H;
      const dnPre = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        const z = fwd.gates[gateRow + H + j];
        const n = fwd.gates[gateRow + 2 * H + j];
        const hPrev = fwd.hAll[s + j];
        const dhj = dh[b * H + j] + (dOutput ? dOutput[s + j] : 0);
        dhPrev[b * H + j] += dhj * z;
        dzx[H + j] = dhj * (hPrev - n) * dsg(z);
        dnPre[j] = dhj * (1 - z) * (1 - n * n);
      }
      if (after) {
        for (let j = 0; j < H; j++) {
          const r = fwd.gates[gateRow + j];
          dzx[j] = dnPre[j] * fwd.extra[s + j] * dsg(r);
          dzx[2 * H + j] = dnPre[j];
          dzh[j] = dzx[j];
          dzh[H + j] = dzx[H + j];
          dzh[2 * H + j] = dnPre[j] * r;
        }
        addOuter(gr.dWeightHh, fwd.hAll, s, dzh, 0, H, 3 * H);
        addMatTVec(dhPrev, b * H, dzh, 0, p.weightHh, H, 3 * H);
        for (let j = 0; j < 3 * H; j++) gr.dBiasHh[j] += dzh[j];
      } else {
        // n = tanh(x·W_in + (r⊙h)·W_hn + b_n): d(r⊙h) = dnPre · W_hnᵀ
        drh.fill(0);
        for (let k = 0; k < H; k++) {
          let acc = 0;
          for (let j = 0; j < H; j++) acc += dnPre[j] * p.weightHh[k * 3 * H + 2 * H + j];
          drh[k] = acc;
        }
        for (let j = 0; j < H; j++) {
          const r = fwd.gates[gateRow + j];
          dzx[j] = drh[j] * fwd.hAll[s + j] * dsg(r);
          dzx[2 * H + j] = dnPre[j];
          dhPrev[b * H + j] += drh[j] * r;
        }
        // W_hr, W_hz see h; W_hn sees r⊙h.
        for (let k = 0; k < H; k++) {
          const hk = fwd.hAll[s + k];
          const rk = fwd.extra[s + k];
          for (let j = 0; j < H; j++) {
            gr.dWeightHh[k * 3 * H + j] += hk * dzx[j];
            gr.dWeightHh[k * 3 * H + H + j] += hk * dzx[H + j];
            gr.dWeightHh[k * 3 * H + 2 * H + j] += rk * dzx[2 * H + j];
          }
          let acc = 0;
          for (let j = 0; j < 2 * H; j++) acc += dzx[j] * p.weightHh[k * 3 * H + j];
          dhPrev[b * H + k] += acc;
        }
      }
      for (let j = 0; j < 3 * H; j++) gr.dBiasIh[j] += dzx[j];
      addOuter(gr.dWeightIh, x, (t * B + b) * I, dzx, 0, I, 3 * H);
      addMatTVec(gr.dX, (t * B + b) * I, dzx, 0, p.weightIh, I, 3 * H);
    }
    dh.set(dhPrev);
  }
  gr.dh0.set(dh);
  return gr;
}

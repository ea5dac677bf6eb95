// Validating wrappers of the training kernels (assembly/loss.ts, optim.ts, dense.ts,
// sequence.ts) for test/train-kernels.test.ts: check the arguments, stage the operands
// (withOperands), then one call of the binding in src/kernels/. The library itself calls
// the bindings with pointers it owns. f32 operands are Float32Arrays (copied in, and back
// out when written) or F32Buffers (used in place); a buffer may be longer than the kernel
// needs, which uses its first elements. Integer operands (labels, ids) are Int32Arrays,
// checked against their range and copied in.
import { Backend, F32Buffer, liveView } from '../../src/engine/backend.js';
import { checkBoolean, checkFinite, checkInt, describe } from '../../src/errors.js';
import { checkNoOverlap, operandLength, resolveBackend, withOperands, type Operand, type OperandUse } from '../../src/kernels/operands.js';
import { mseF32, softmaxBackwardF32, softmaxF32, softmaxTemperatureF32, softmaxXentF32 } from '../../src/kernels/loss.js';
import { adamStepF32, clipValuesF32, rmspropStepF32, scaleF32, sgdStepF32, sumSquaresF32 } from '../../src/kernels/optim.js';
import { addBiasRowsF32, embeddingBackwardF32, embeddingForwardF32, sumRowsIntoF32 } from '../../src/kernels/dense.js';
import { reverseTimeF32, reverseTimeMaskedF32 } from '../../src/kernels/sequence.js';

interface BackendOption {
  /** Backend for Float32Array operands; default the one F32Buffer operands belong to, else init()'s. */
  backend?: Backend;
}

function checkOptions(where: string, options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
}

/** An operand's length, which must cover `needed` elements (`shape` says why). */
function checkCovers(where: string, name: string, value: unknown, needed: number, shape: string): number {
  const length = operandLength(where, name, value);
  if (length < needed) throw new RangeError(`${where}: ${name} has ${length} elements but ${shape} needs ${needed}`);
  return length;
}

/** A finite number in [min, max] (inclusive unless `openMax`). */
function checkNumber(where: string, name: string, value: unknown, min: number, max = Infinity, openMax = false): number {
  checkFinite(where, name, value);
  const v = value as number;
  if (v < min || v > max || (openMax && v === max)) {
    const range = max === Infinity ? `≥ ${min}` : `in [${min}, ${max}${openMax ? ')' : ']'}`;
    throw new RangeError(`${where}: ${name} must be ${range}, got ${v}`);
  }
  return v;
}

function checkInt32Array(where: string, name: string, value: unknown, length: number): Int32Array {
  if (!(value instanceof Int32Array)) throw new TypeError(`${where}: ${name} must be an Int32Array, got ${describe(value)}`);
  if (value.length !== length) throw new RangeError(`${where}: ${name} has ${value.length} elements, expected ${length}`);
  return value;
}

/** The current values of an f32 operand (a live view for an F32Buffer: read it before anything allocates). */
function valuesOf(value: Operand): Float32Array {
  return value instanceof F32Buffer ? liveView(value) : value;
}

/** Copies `values` into a temporary i32 block, runs `run` with its pointer, frees it. Call before staging f32 operands. */
function withInt32(backend: Backend, values: Int32Array, run: (ptr: number) => void): void {
  const ptr = backend.alloc(Math.max(4, values.length * 4));
  try {
    new Int32Array(backend.memoryBuffer, ptr, values.length).set(values);
    run(ptr);
  } finally {
    backend.free(ptr);
  }
}

function use(name: string, value: Operand, span: number, output: boolean): OperandUse {
  return { name, value, offset: 0, span, output };
}

/** Checks a row mask (finite weights ≥ 0) and returns Σ w. */
function checkMask(where: string, mask: Operand, rows: number): number {
  checkCovers(where, 'options.mask', mask, rows, `one weight per row (rows = ${rows})`);
  const w = valuesOf(mask);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    if (!(Number.isFinite(w[r]) && w[r] >= 0)) {
      throw new RangeError(`${where}: options.mask[${r}] must be a finite weight ≥ 0, got ${w[r]}`);
    }
    total += w[r];
  }
  return total;
}

export interface LossOptions extends BackendOption {
  /** f32 weight per row (1 counts, 0 ignores: no loss, zero gradient, label not checked); default every row 1. */
  mask?: Operand | null;
  /**
   * The factor on the summed loss, and so on the gradient. Default: the mean, 1/Σ mask (1/rows without a
   * mask; 0 when every weight is 0) for cross-entropy, and 1/(cols·Σ mask) for MSE (mean over elements,
   * like PyTorch's MSELoss and Keras' 'mse').
   */
  scale?: number;
}

interface LossSetup {
  backend: Backend;
  maskUse: OperandUse[];
  scale: number;
}

function lossSetup(where: string, rows: number, perRow: number, options: LossOptions, operands: [string, Operand][]): LossSetup {
  const mask = options.mask ?? null;
  const weightSum = mask === null ? rows : checkMask(where, mask, rows);
  const scale = options.scale === undefined ? (weightSum === 0 ? 0 : 1 / (perRow * weightSum)) : checkFinite(where, 'options.scale', options.scale);
  const all = mask === null ? operands : [...operands, ['options.mask', mask] as [string, Operand]];
  const backend = resolveBackend(where, all.map(([n]) => n), all.map(([, v]) => v), options.backend);
  return { backend, maskUse: mask === null ? [] : [use('mask', mask, rows, false)], scale };
}

/**
 * Softmax cross-entropy over [rows, classes] logits (rows = T·B positions or B sequences).
 * Writes probs = softmax(logits) and, unless dLogits is null, the gradient of the returned
 * loss: dLogits = scale·w_r·(probs − onehot(label_r)). Returns scale · Σ_r w_r·(−log p_r[label_r]).
 */
export function softmaxCrossEntropy(
  rows: number, classes: number, logits: Operand, labels: Int32Array, probs: Operand, dLogits: Operand | null,
  options: LossOptions = {},
): number {
  const where = 'softmaxCrossEntropy';
  checkOptions(where, options);
  checkInt(where, 'rows', rows, 1);
  checkInt(where, 'classes', classes, 1);
  const n = rows * classes;
  const shape = `[rows=${rows}, classes=${classes}]`;
  checkCovers(where, 'logits', logits, n, shape);
  checkCovers(where, 'probs', probs, n, shape);
  if (dLogits !== null) checkCovers(where, 'dLogits', dLogits, n, shape);
  checkInt32Array(where, 'labels', labels, rows);
  const operands: [string, Operand][] = [['logits', logits], ['probs', probs]];
  if (dLogits !== null) operands.push(['dLogits', dLogits]);
  const { backend, maskUse, scale } = lossSetup(where, rows, 1, options, operands);
  const weights = options.mask ? valuesOf(options.mask) : null;
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    if ((label < 0 || label >= classes) && (weights === null || weights[r] !== 0)) {
      throw new RangeError(`${where}: labels[${r}] must be a class index in [0, ${classes - 1}], got ${label}`);
    }
  }
  const uses = [use('probs', probs, n, true), ...(dLogits === null ? [] : [use('dLogits', dLogits, n, true)]), use('logits', logits, n, false), ...maskUse];
  checkNoOverlap(where, uses);
  let sum = 0;
  withInt32(backend, labels, (labelsPtr) => {
    withOperands(backend, uses, (pointers) => {
      const [probsPtr, dPtr, logitsPtr] = dLogits === null ? [pointers[0], 0, pointers[1]] : pointers;
      const maskPtr = maskUse.length === 0 ? 0 : pointers[pointers.length - 1];
      sum = softmaxXentF32(backend, { dLogits: dPtr, probs: probsPtr, logits: logitsPtr, labels: labelsPtr, mask: maskPtr }, rows, classes, scale);
    });
  });
  return scale * sum;
}

/**
 * Squared error over [rows, cols]. Unless dPred is null, writes the gradient of the returned
 * loss: dPred = scale·w_r·2·(pred − target). Returns scale · Σ_r w_r·Σ_c (pred − target)².
 */
export function meanSquaredError(
  rows: number, cols: number, pred: Operand, target: Operand, dPred: Operand | null, options: LossOptions = {},
): number {
  const where = 'meanSquaredError';
  checkOptions(where, options);
  checkInt(where, 'rows', rows, 1);
  checkInt(where, 'cols', cols, 1);
  const n = rows * cols;
  const shape = `[rows=${rows}, cols=${cols}]`;
  checkCovers(where, 'pred', pred, n, shape);
  checkCovers(where, 'target', target, n, shape);
  if (dPred !== null) checkCovers(where, 'dPred', dPred, n, shape);
  const operands: [string, Operand][] = [['pred', pred], ['target', target]];
  if (dPred !== null) operands.push(['dPred', dPred]);
  const { backend, maskUse, scale } = lossSetup(where, rows, cols, options, operands);
  const uses = [...(dPred === null ? [] : [use('dPred', dPred, n, true)]), use('pred', pred, n, false), use('target', target, n, false), ...maskUse];
  checkNoOverlap(where, uses);
  let sum = 0;
  withOperands(backend, uses, (pointers) => {
    const [dPtr, predPtr, targetPtr] = dPred === null ? [0, pointers[0], pointers[1]] : pointers;
    const maskPtr = maskUse.length === 0 ? 0 : pointers[pointers.length - 1];
    sum = mseF32(backend, { dPred: dPtr, pred: predPtr, target: targetPtr, mask: maskPtr }, rows, cols, scale);
  });
  return scale * sum;
}

export interface SoftmaxOptions extends BackendOption {
  /** softmax(logits / temperature); default 1. Must be > 0. */
  temperature?: number;
}

/** out[r] = softmax(logits[r] / temperature), row-wise over [rows, classes]. `out` may be `logits`. */
export function softmax(rows: number, classes: number, logits: Operand, out: Operand, options: SoftmaxOptions = {}): void {
  const where = 'softmax';
  checkOptions(where, options);
  checkInt(where, 'rows', rows, 1);
  checkInt(where, 'classes', classes, 1);
  const n = rows * classes;
  const shape = `[rows=${rows}, classes=${classes}]`;
  checkCovers(where, 'logits', logits, n, shape);
  checkCovers(where, 'out', out, n, shape);
  const temperature = options.temperature === undefined ? 1 : checkFinite(where, 'options.temperature', options.temperature);
  if (!(temperature > 0)) throw new RangeError(`${where}: options.temperature must be > 0, got ${temperature}`);
  const invTemperature = 1 / temperature;
  if (!Number.isFinite(Math.fround(invTemperature)) || Math.fround(invTemperature) === 0) {
    throw new RangeError(`${where}: options.temperature ${temperature} is outside the f32 range (1/temperature = ${invTemperature})`);
  }
  const backend = resolveBackend(where, ['logits', 'out'], [logits, out], options.backend);
  const run = (outPtr: number, logitsPtr: number): void => {
    if (temperature === 1) softmaxF32(backend, { out: outPtr, logits: logitsPtr }, rows, classes);
    else softmaxTemperatureF32(backend, { out: outPtr, logits: logitsPtr }, rows, classes, invTemperature);
  };
  if (logits === out) {
    withOperands(backend, [use('out', out, n, true)], ([p]) => run(p, p));
    return;
  }
  const uses = [use('out', out, n, true), use('logits', logits, n, false)];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([outPtr, logitsPtr]) => run(outPtr, logitsPtr));
}

// ---- optimizers ----

/** Checks that every slab has the parameters' length; returns n. */
function checkSlabs(where: string, names: string[], values: Operand[]): number {
  const n = operandLength(where, names[0], values[0]);
  for (let i = 1; i < names.length; i++) {
    const length = operandLength(where, names[i], values[i]);
    if (length !== n) throw new RangeError(`${where}: ${names[i]} has ${length} elements but ${names[0]} has ${n}`);
  }
  return n;
}

function runSlabs(where: string, names: string[], values: Operand[], outputs: number, backend: Backend | undefined, kernel: (backend: Backend, pointers: number[], n: number) => void): void {
  const n = checkSlabs(where, names, values);
  const resolved = resolveBackend(where, names, values, backend);
  const uses = names.map((name, i) => use(name, values[i], n, i < outputs));
  checkNoOverlap(where, uses);
  withOperands(resolved, uses, (pointers) => kernel(resolved, pointers, n));
}

/** dLogits[r] += probs[r] ⊙ (dProbs[r] − dProbs[r]·probs[r]), row-wise over [rows, classes]. */
export function softmaxBackward(rows: number, classes: number, probs: Operand, dProbs: Operand, dLogits: Operand, options: BackendOption = {}): void {
  const where = 'softmaxBackward';
  checkOptions(where, options);
  checkInt(where, 'rows', rows, 1);
  checkInt(where, 'classes', classes, 1);
  const n = rows * classes;
  const shape = `[rows=${rows}, classes=${classes}]`;
  for (const [name, value] of [['probs', probs], ['dProbs', dProbs], ['dLogits', dLogits]] as const) checkCovers(where, name, value, n, shape);
  const backend = resolveBackend(where, ['dLogits', 'probs', 'dProbs'], [dLogits, probs, dProbs], options.backend);
  const uses = [use('dLogits', dLogits, n, true), use('probs', probs, n, false), use('dProbs', dProbs, n, false)];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([d, p, dp]) => softmaxBackwardF32(backend, { dLogits: d, probs: p, dProbs: dp }, rows, classes));
}

export interface SgdOptions extends BackendOption {
  learningRate: number;
  /** μ ≥ 0; default 0 (plain SGD: velocity is not used and may be null). */
  momentum?: number;
  /** Nesterov momentum (needs momentum > 0); default false. */
  nesterov?: boolean;
  /** L2 penalty λ ≥ 0 added to the gradient; default 0. */
  weightDecay?: number;
}

/** One torch.optim.SGD step (dampening 0) on params in place; velocity (zeros before the first step) is updated. */
export function sgdStep(params: Operand, velocity: Operand | null, grads: Operand, options: SgdOptions): void {
  const where = 'sgdStep';
  checkOptions(where, options);
  const learningRate = checkNumber(where, 'options.learningRate', options.learningRate, 0);
  const momentum = checkNumber(where, 'options.momentum', options.momentum ?? 0, 0);
  const nesterov = checkBoolean(where, 'options.nesterov', options.nesterov ?? false);
  const weightDecay = checkNumber(where, 'options.weightDecay', options.weightDecay ?? 0, 0);
  if (nesterov && momentum === 0) throw new RangeError(`${where}: options.nesterov needs options.momentum > 0, got momentum 0`);
  if (momentum !== 0 && velocity === null) throw new TypeError(`${where}: velocity must be given when options.momentum is ${momentum}`);
  const withVelocity = momentum !== 0 && velocity !== null;
  const names = withVelocity ? ['params', 'velocity', 'grads'] : ['params', 'grads'];
  const values = withVelocity ? [params, velocity, grads] : [params, grads];
  runSlabs(where, names, values, names.length - 1, options.backend, (backend, p, n) => {
    const [paramsPtr, velocityPtr, gradsPtr] = withVelocity ? p : [p[0], 0, p[1]];
    sgdStepF32(backend, { params: paramsPtr, velocity: velocityPtr, grads: gradsPtr }, n, learningRate, momentum, nesterov, weightDecay);
  });
}

export interface AdamOptions extends BackendOption {
  learningRate: number;
  /** Default 0.9, in [0, 1). */
  beta1?: number;
  /** Default 0.999, in [0, 1). */
  beta2?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** The number of this step, 1 on the first call (bias correction). */
  step: number;
  /** λ ≥ 0; default 0. */
  weightDecay?: number;
  /** AdamW: decay the parameters (p ← p·(1 − lr·λ)) instead of adding λ·p to the gradient; default false. */
  decoupled?: boolean;
}

/** One torch.optim.Adam (or AdamW with decoupled: true) step on params in place; m and v (zeros before step 1) are updated. */
export function adamStep(params: Operand, m: Operand, v: Operand, grads: Operand, options: AdamOptions): void {
  const where = 'adamStep';
  checkOptions(where, options);
  const learningRate = checkNumber(where, 'options.learningRate', options.learningRate, 0);
  const beta1 = checkNumber(where, 'options.beta1', options.beta1 ?? 0.9, 0, 1, true);
  const beta2 = checkNumber(where, 'options.beta2', options.beta2 ?? 0.999, 0, 1, true);
  const epsilon = checkNumber(where, 'options.epsilon', options.epsilon ?? 1e-8, 0);
  const step = checkInt(where, 'options.step', options.step, 1);
  const weightDecay = checkNumber(where, 'options.weightDecay', options.weightDecay ?? 0, 0);
  const decoupled = checkBoolean(where, 'options.decoupled', options.decoupled ?? false);
  runSlabs(where, ['params', 'm', 'v', 'grads'], [params, m, v, grads], 3, options.backend, (backend, [p, mp, vp, gp], n) => {
    adamStepF32(backend, { params: p, m: mp, v: vp, grads: gp }, n, learningRate, beta1, beta2, epsilon, step, weightDecay, decoupled);
  });
}

export interface RmspropOptions extends BackendOption {
  learningRate: number;
  /** Smoothing constant (PyTorch's alpha, Keras' rho); default 0.99 (PyTorch), in [0, 1]. */
  rho?: number;
  /** Default 1e-8. */
  epsilon?: number;
  /** λ ≥ 0; default 0. */
  weightDecay?: number;
}

/** One torch.optim.RMSprop step (not centered, no momentum) on params in place; sq (zeros before the first step) is updated. */
export function rmspropStep(params: Operand, sq: Operand, grads: Operand, options: RmspropOptions): void {
  const where = 'rmspropStep';
  checkOptions(where, options);
  const learningRate = checkNumber(where, 'options.learningRate', options.learningRate, 0);
  const rho = checkNumber(where, 'options.rho', options.rho ?? 0.99, 0, 1);
  const epsilon = checkNumber(where, 'options.epsilon', options.epsilon ?? 1e-8, 0);
  const weightDecay = checkNumber(where, 'options.weightDecay', options.weightDecay ?? 0, 0);
  runSlabs(where, ['params', 'sq', 'grads'], [params, sq, grads], 2, options.backend, (backend, [p, sp, gp], n) => {
    rmspropStepF32(backend, { params: p, sq: sp, grads: gp }, n, learningRate, rho, epsilon, weightDecay);
  });
}

// ---- clipping ----

/** Σ x² in f64: NaN or +Infinity when an element is non-finite (the non-finite check of a training step). */
export function sumSquares(x: Operand, options: BackendOption = {}): number {
  const where = 'sumSquares';
  checkOptions(where, options);
  const n = operandLength(where, 'x', x);
  const backend = resolveBackend(where, ['x'], [x], options.backend);
  let sum = 0;
  withOperands(backend, [use('x', x, n, false)], ([p]) => {
    sum = sumSquaresF32(backend, { x: p }, n);
  });
  return sum;
}

/** x ← factor·x in place (the global-norm clip: factor = maxNorm / norm). */
export function scaleInPlace(x: Operand, factor: number, options: BackendOption = {}): void {
  const where = 'scaleInPlace';
  checkOptions(where, options);
  const n = operandLength(where, 'x', x);
  checkFinite(where, 'factor', factor);
  const backend = resolveBackend(where, ['x'], [x], options.backend);
  withOperands(backend, [use('x', x, n, true)], ([p]) => scaleF32(backend, { x: p }, n, factor));
}

/** x ← clamp(x, −limit, limit) in place; NaN stays NaN. */
export function clipValues(x: Operand, limit: number, options: BackendOption = {}): void {
  const where = 'clipValues';
  checkOptions(where, options);
  const n = operandLength(where, 'x', x);
  checkNumber(where, 'limit', limit, 0);
  const backend = resolveBackend(where, ['x'], [x], options.backend);
  withOperands(backend, [use('x', x, n, true)], ([p]) => clipValuesF32(backend, { x: p }, n, limit));
}

// ---- dense, embedding, time reversal ----

/** x[r, c] += bias[c] over [rows, cols]. */
export function addBiasRows(rows: number, cols: number, bias: Operand, x: Operand, options: BackendOption = {}): void {
  const where = 'addBiasRows';
  checkOptions(where, options);
  checkInt(where, 'rows', rows, 1);
  checkInt(where, 'cols', cols, 1);
  checkCovers(where, 'bias', bias, cols, `[cols=${cols}]`);
  checkCovers(where, 'x', x, rows * cols, `[rows=${rows}, cols=${cols}]`);
  const backend = resolveBackend(where, ['bias', 'x'], [bias, x], options.backend);
  const uses = [use('x', x, rows * cols, true), use('bias', bias, cols, false)];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([xp, bp]) => addBiasRowsF32(backend, { x: xp, bias: bp }, rows, cols));
}

/** dst[c] += Σ_r src[r, c] over [rows, cols] (a bias gradient). */
export function sumRowsInto(rows: number, cols: number, src: Operand, dst: Operand, options: BackendOption = {}): void {
  const where = 'sumRowsInto';
  checkOptions(where, options);
  checkInt(where, 'rows', rows, 1);
  checkInt(where, 'cols', cols, 1);
  checkCovers(where, 'src', src, rows * cols, `[rows=${rows}, cols=${cols}]`);
  checkCovers(where, 'dst', dst, cols, `[cols=${cols}]`);
  const backend = resolveBackend(where, ['src', 'dst'], [src, dst], options.backend);
  const uses = [use('dst', dst, cols, true), use('src', src, rows * cols, false)];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([dp, sp]) => sumRowsIntoF32(backend, { dst: dp, src: sp }, rows, cols));
}

function checkIds(where: string, ids: Int32Array, vocab: number): void {
  for (let r = 0; r < ids.length; r++) {
    if (ids[r] < 0 || ids[r] >= vocab) throw new RangeError(`${where}: ids[${r}] must be in [0, ${vocab - 1}] (table rows), got ${ids[r]}`);
  }
}

/** The table's rows (its length must be a multiple of dim). */
function vocabOf(where: string, name: string, table: Operand, dim: number): number {
  const length = operandLength(where, name, table);
  if (length % dim !== 0) throw new RangeError(`${where}: ${name} has ${length} elements, not a multiple of dim = ${dim}`);
  return length / dim;
}

/** out[r] = table[ids[r]]: n rows of dim floats from a [vocab, dim] table. */
export function embeddingForward(n: number, dim: number, table: Operand, ids: Int32Array, out: Operand, options: BackendOption = {}): void {
  const where = 'embeddingForward';
  checkOptions(where, options);
  checkInt(where, 'n', n, 1);
  checkInt(where, 'dim', dim, 1);
  const vocab = vocabOf(where, 'table', table, dim);
  checkInt32Array(where, 'ids', ids, n);
  checkIds(where, ids, vocab);
  checkCovers(where, 'out', out, n * dim, `[n=${n}, dim=${dim}]`);
  const backend = resolveBackend(where, ['table', 'out'], [table, out], options.backend);
  const uses = [use('out', out, n * dim, true), use('table', table, vocab * dim, false)];
  checkNoOverlap(where, uses);
  withInt32(backend, ids, (idsPtr) => {
    withOperands(backend, uses, ([op, tp]) => embeddingForwardF32(backend, { out: op, table: tp, ids: idsPtr }, n, dim));
  });
}

/** dTable[ids[r]] += dOut[r] for r = 0 … n − 1 in order. */
export function embeddingBackward(n: number, dim: number, dOut: Operand, ids: Int32Array, dTable: Operand, options: BackendOption = {}): void {
  const where = 'embeddingBackward';
  checkOptions(where, options);
  checkInt(where, 'n', n, 1);
  checkInt(where, 'dim', dim, 1);
  const vocab = vocabOf(where, 'dTable', dTable, dim);
  checkInt32Array(where, 'ids', ids, n);
  checkIds(where, ids, vocab);
  checkCovers(where, 'dOut', dOut, n * dim, `[n=${n}, dim=${dim}]`);
  const backend = resolveBackend(where, ['dOut', 'dTable'], [dOut, dTable], options.backend);
  const uses = [use('dTable', dTable, vocab * dim, true), use('dOut', dOut, n * dim, false)];
  checkNoOverlap(where, uses);
  withInt32(backend, ids, (idsPtr) => {
    withOperands(backend, uses, ([tp, dp]) => embeddingBackwardF32(backend, { dTable: tp, dOut: dp, ids: idsPtr }, n, dim));
  });
}

/** dst[t] = src[T − 1 − t] over T steps of rowFloats (= B·F) floats. */
export function reverseTime(T: number, rowFloats: number, src: Operand, dst: Operand, options: BackendOption = {}): void {
  const where = 'reverseTime';
  checkOptions(where, options);
  checkInt(where, 'T', T, 1);
  checkInt(where, 'rowFloats', rowFloats, 1);
  const n = T * rowFloats;
  checkCovers(where, 'src', src, n, `[T=${T}, rowFloats=${rowFloats}]`);
  checkCovers(where, 'dst', dst, n, `[T=${T}, rowFloats=${rowFloats}]`);
  const backend = resolveBackend(where, ['src', 'dst'], [src, dst], options.backend);
  const uses = [use('dst', dst, n, true), use('src', src, n, false)];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([dp, sp]) => reverseTimeF32(backend, { dst: dp, src: sp }, T, rowFloats));
}

/**
 * Reverses each sequence b of a post-padded [T, B, F] batch within its own length L_b (the
 * leading 1s of mask[:, b]); steps t ≥ L_b of dst are zero. mask [T, B] holds 0/1 with no 1
 * after a 0 in a column. Its own inverse on the valid steps, and its own gradient.
 */
export function reverseTimeMasked(T: number, B: number, F: number, src: Operand, mask: Operand, dst: Operand, options: BackendOption = {}): void {
  const where = 'reverseTimeMasked';
  checkOptions(where, options);
  checkInt(where, 'T', T, 1);
  checkInt(where, 'B', B, 1);
  checkInt(where, 'F', F, 1);
  const n = T * B * F;
  checkCovers(where, 'src', src, n, `[T=${T}, B=${B}, F=${F}]`);
  checkCovers(where, 'dst', dst, n, `[T=${T}, B=${B}, F=${F}]`);
  checkCovers(where, 'mask', mask, T * B, `[T=${T}, B=${B}]`);
  const m = valuesOf(mask);
  for (let b = 0; b < B; b++) {
    let padded = false;
    for (let t = 0; t < T; t++) {
      const value = m[t * B + b];
      if (value !== 0 && value !== 1) throw new RangeError(`${where}: mask[${t}, ${b}] must be 0 or 1, got ${value}`);
      if (value === 1 && padded) throw new RangeError(`${where}: mask[:, ${b}] is not post-padded (a 1 at t = ${t} follows a 0)`);
      if (value === 0) padded = true;
    }
  }
  const backend = resolveBackend(where, ['src', 'mask', 'dst'], [src, mask, dst], options.backend);
  const uses = [use('dst', dst, n, true), use('src', src, n, false), use('mask', mask, T * B, false)];
  checkNoOverlap(where, uses);
  withOperands(backend, uses, ([dp, sp, mp]) => reverseTimeMaskedF32(backend, { dst: dp, src: sp, mask: mp }, T, B, F));
}

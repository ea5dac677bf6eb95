// Up/down (direction) prediction: the metrics of a classifier of the next move, and the two
// baselines it has to beat. Labels are lookbackWindows' with labels: 'direction' — 1 = up
// (the target ahead is strictly greater than the window's last value), 0 = down or unchanged.
// Counting only; the classifiers themselves are models (a Sequential with a softmax head).
import { checkInt, checkOptions, describe } from '../errors.js';

export interface DirectionMetrics {
  /** Windows scored. */
  count: number;
  /** Fraction predicted right. */
  accuracy: number;
  /** Mean of the recall of each class that occurs in `actual` (scikit-learn's balanced_accuracy_score): 0.5 for any constant guess. */
  balancedAccuracy: number;
  /** confusion[actual][predicted]: [[down→down, down→up], [up→down, up→up]] (scikit-learn's layout, labels 0 then 1). */
  confusion: [[number, number], [number, number]];
  /** Recall of down and of up: right ÷ occurrences; NaN for a class that does not occur. */
  recall: [number, number];
}

/** Accuracy, balanced accuracy and the confusion matrix of predicted against actual labels (each 0 or 1). */
export function directionMetrics(predicted: ArrayLike<number>, actual: ArrayLike<number>): DirectionMetrics {
  const where = 'directionMetrics';
  const p = readLabels(where, 'predicted', predicted);
  const a = readLabels(where, 'actual', actual);
  if (p.length !== a.length) throw new RangeError(`${where}: predicted has ${p.length} labels but actual has ${a.length}`);
  if (a.length === 0) throw new RangeError(`${where}: no labels to score (actual is empty)`);
  const confusion: [[number, number], [number, number]] = [[0, 0], [0, 0]];
  for (let i = 0; i < a.length; i++) confusion[a[i]][p[i]]++;
  const recall = [0, 1].map((c) => {
    const n = confusion[c][0] + confusion[c][1];
    return n === 0 ? NaN : confusion[c][c] / n;
  }) as [number, number];
  const present = recall.filter((r) => !Number.isNaN(r));
  return {
    count: a.length,
    accuracy: (confusion[0][0] + confusion[1][1]) / a.length,
    balancedAccuracy: present.reduce((s, r) => s + r, 0) / present.length,
    confusion,
    recall,
  };
}

export interface DirectionBaselineOptions {
  /** The training part's labels: their majority class is the first baseline (a tie is 0, down). */
  trainLabels: ArrayLike<number>;
  /** The target feature in the windows (default 0). */
  target?: number;
}

/**
 * The two baselines of a direction classifier, for windows x [N, lookback ≥ 2, F]:
 *   majority  every window gets the training part's majority class;
 *   lastStep  "same direction as the last step": 1 when the target's last value in the window is
 *             strictly greater than the one before it (compared as stored in x), else 0.
 */
export function directionBaselines(x: { data: ArrayLike<number>; shape: readonly number[] }, options: DirectionBaselineOptions): { majorityClass: 0 | 1; majority: number[]; lastStep: number[] } {
  const where = 'directionBaselines';
  if (x === null || typeof x !== 'object' || !('data' in x) || !('shape' in x)) throw new TypeError(`${where}: x must be windows { data, shape: [N, lookback, F] }, got ${describe(x)}`);
  const shape: unknown = x.shape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((s) => Number.isInteger(s) && (s as number) >= 0)) {
    throw new RangeError(`${where}: x.shape must be [N, lookback, F], got ${JSON.stringify(shape)}`);
  }
  const [N, L, F] = shape as number[];
  if (L < 2) throw new RangeError(`${where}: the last step's direction needs windows of at least 2 steps, got lookback ${L}`);
  if (x.data.length !== N * L * F) throw new RangeError(`${where}: x.data has ${x.data.length} values but shape [${N}, ${L}, ${F}] needs ${N * L * F}`);
  checkOptions(where, options, ['trainLabels', 'target']);
  const target = options.target === undefined ? 0 : checkInt(where, 'options.target', options.target, 0, F - 1);
  const train = readLabels(where, 'options.trainLabels', options.trainLabels);
  if (train.length === 0) throw new RangeError(`${where}: options.trainLabels is empty: there is no majority class`);
  let ups = 0;
  for (const label of train) ups += label;
  const majorityClass = ups > train.length - ups ? 1 : 0;
  const lastStep: number[] = [];
  for (let i = 0; i < N; i++) {
    const last = x.data[(i * L + L - 1) * F + target];
    const before = x.data[(i * L + L - 2) * F + target];
    lastStep.push(last > before ? 1 : 0);
  }
  return { majorityClass, majority: new Array<number>(N).fill(majorityClass), lastStep };
}

function readLabels(where: string, name: string, value: unknown): Uint8Array {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    throw new TypeError(`${where}: ${name} must be an array of labels 0 (down) and 1 (up), got ${describe(value)}`);
  }
  const list = value as ArrayLike<unknown>;
  const out = new Uint8Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v !== 0 && v !== 1) throw new RangeError(`${where}: ${name}[${i}] must be 0 (down) or 1 (up), got ${describe(v)}`);
    out[i] = v;
  }
  return out;
}

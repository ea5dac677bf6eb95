// What a forecast run is given and what it produces: read by forecast.ts (which
// makes them), report.ts (which renders them) and showcase.ts.
import type { DirectionMetrics } from '../index.js';
import type { ModelKind, Strategy, Task, Trained } from './networks.js';
import type { Part } from './series.js';

export type { Strategy, Task } from './networks.js';

export interface ForecastOptions {
  file: string;
  target: string;
  features: string[];
  lookback: number;
  horizon: number;
  model: ModelKind;
  /** value: forecast the target's value; direction: classify the move (up / down or unchanged). */
  task: Task;
  /** direct: one model for `horizon` steps ahead; recursive: a one-step model iterated `horizon` times. */
  strategy: Strategy;
  /** The date column; null: detect one (a column whose every cell is an ISO date). */
  date: string | null;
  epochs: number;
  units: number;
  batchSize: number;
  patience: number;
  learningRate: number;
  seed: number;
  trainFraction: number;
  validFraction: number;
  out: string;
  delimiter: string;
  progress: boolean;
}

/** Value task: one forecaster's errors on a part. */
export interface Score {
  /** 'model', 'linear_ar' or 'persistence'. */
  key: string;
  name: string;
  rmse: number;
  nrmse: number;
}

/** Direction task: one classifier's (or baseline's) counts on a part. */
export interface DirectionScore {
  /** 'model', 'majority' or 'last_step'. */
  key: string;
  name: string;
  metrics: DirectionMetrics;
}

/** One window: the value task's forecasts, or the direction task's classes. Original units. */
export interface ResultRow {
  /** Target row (0-based) and the window's last row. */
  target: number;
  origin: number;
  part: Part;
  /** The target's date ('' without a date column). */
  date: string;
  /** value: the actual value (NaN past the data); direction: the actual class 0/1 (NaN past the data). */
  actual: number;
  /** value: the forecast; direction: the predicted class. */
  model: number;
  /** direction: the model's probability of "up" (its class for AR); value: NaN. */
  probability: number;
  /** One per baseline, in the order of ForecastResult.baselines. */
  baselines: number[];
}

/** Everything a run produced (the report and the showcase read it). */
export interface ForecastResult {
  options: ForecastOptions;
  inputs: string[];
  T: number;
  trainEnd: number;
  validEnd: number;
  counts: { train: number; validation: number; test: number; future: number };
  trained: Trained;
  /** The baselines' CSV keys and table names, in the order of ResultRow.baselines. */
  baselines: { key: string; name: string }[];
  rows: ResultRow[];
  /** value task: model first, then the baselines. */
  test: Score[];
  validation: Score[];
  /** direction task: model first, then the baselines. */
  testDirection: DirectionScore[];
  validationDirection: DirectionScore[];
  table: string;
  files: { forecasts: string; report: string; model: string };
  series: Float64Array;
  /** The date column's name and each row's date (null without one), and the date after the last row (estimated; '' if unknown). */
  dates: { column: string; values: string[]; next: string[] } | null;
}

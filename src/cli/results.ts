// What a forecast run is given and what it produces: read by forecast.ts (which
// makes them), report.ts (which renders them) and showcase.ts.
import type { ModelKind, Trained } from './networks.js';
import type { Part } from './series.js';

export interface ForecastOptions {
  file: string;
  target: string;
  features: string[];
  lookback: number;
  horizon: number;
  model: ModelKind;
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

export interface Score {
  name: string;
  rmse: number;
  nrmse: number;
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
  /** Per window: target row (0-based), part, actual (NaN for future), model, persistence, linear AR; original units. */
  rows: { target: number; origin: number; part: Part; actual: number; model: number; persistence: number; linear: number }[];
  test: Score[];
  validation: Score[];
  table: string;
  files: { forecasts: string; report: string; model: string };
  series: Float64Array;
}

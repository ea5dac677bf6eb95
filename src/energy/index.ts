// The 'rnn-wasm/energy' entry: associative memory and energy-based models (Hopfield, the
// Boltzmann machine, RBM, DBN, DBM). A separate entry so that a page which uses only the recurrent
// models does not download them; it shares the module, init() and the backends with 'rnn-wasm'
// (the bundler puts what both use into one shared chunk).
export {
  Hopfield, type HopfieldOptions, type HopfieldStates, type HopfieldRule, type RecallOptions, type RecallResult, type PatternsLike, type HopfieldJSON,
} from './hopfield.js';
export {
  BoltzmannMachine, type BoltzmannOptions, type AnnealStage, type SamplingOptions as BoltzmannSamplingOptions, type FitOptions as BoltzmannFitOptions,
  type CompleteOptions as BoltzmannCompleteOptions, type CompleteResult as BoltzmannCompleteResult,
  type BoltzmannJSON,
} from './boltzmann.js';
export {
  RBM, type RBMOptions, type RBMFitOptions, type RBMHistory, type RBMEpochLogs, type RBMWeights, type RBMJSON, type VisibleUnits, type RowsLike, type Matrix,
} from './rbm.js';
export { DBN, type DBNOptions, type DBNPretrainOptions, type DBNJSON } from './dbn.js';
export {
  DBM, DBM_MAX_EXACT_H1, type DBMOptions, type DBMPretrainOptions, type DBMFitOptions, type DBMEpochLogs, type DBMMeanFieldOptions, type DBMMeanFieldResult,
  type DBMSampleOptions, type DBMWeights, type DBMJSON, type DBMRowsLike,
} from './dbm.js';

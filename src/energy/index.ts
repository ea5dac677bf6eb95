// The 'rnn-wasm/energy' entry: associative memory and energy-based models (Hopfield, and the
// Boltzmann machines after it). A separate entry so that a page which uses only the recurrent
// models does not download them; it shares the module, init() and the backends with 'rnn-wasm'
// (the bundler puts what both use into one shared chunk).
export {
  Hopfield, type HopfieldOptions, type HopfieldStates, type HopfieldRule, type RecallOptions, type RecallResult, type PatternsLike, type HopfieldJSON,
} from './hopfield.js';
export {
  DBM, DBM_MAX_EXACT_H1, type DBMOptions, type DBMPretrainOptions, type DBMFitOptions, type DBMEpochLogs, type DBMMeanFieldOptions, type DBMMeanFieldResult,
  type DBMSampleOptions, type DBMWeights, type DBMJSON, type DBMRowsLike,
} from './dbm.js';

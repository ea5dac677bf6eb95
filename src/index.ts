// rnn-wasm public surface. Internals stay reachable by path for tests.
export { init } from './engine/init.js';
export { Backend, F32Buffer, type BackendOptions, type ThreadsInfo } from './engine/backend.js';
export { SizeError, type Size } from './engine/sizes.js';
export { simdSupported } from './engine/loader.js';
export { gemm, type GemmOptions } from './kernels/gemm.js';
export { activation, activationBackward, type Activation } from './kernels/activations.js';
export type { Operand } from './kernels/operands.js';
export { SimpleRNN, type SimpleRNNOptions, type SimpleRNNActivation } from './layers/simple-rnn.js';
export { LSTM, type LSTMOptions, type LSTMVariant, type GateActivation } from './layers/lstm.js';
export { GRU, type GRUOptions, type GRUVariant } from './layers/gru.js';
export {
  RecurrentCache, type RecurrentOptions, type ForwardOptions, type BackwardOptions, type ForwardResult, type BackwardResult,
  type StateInput, type StateOutput,
} from './layers/recurrent.js';
export type { WeightFormat, Weights } from './layers/formats.js';
export type { Tensor, TensorLike } from './tensor.js';
export {
  EchoStateNetwork, type EchoStateNetworkOptions, type EchoStateNetworkJSON, type EsnOutputActivation, type FitOnlineOptions, type GenerateOptions,
  type EsnActivation, type EsnReadoutFeature, type EsnReadoutOptions, type EsnSolver,
} from './esn/esn.js';
export { mackeyGlass, narma10, rmse, nrmse, rsquare, type MackeyGlassOptions, type Narma10Series } from './esn/data.js';
export { Dense, type DenseOptions, type DenseActivation } from './layers/dense.js';
export { Conv1D, type Conv1DOptions, type Conv1DActivation, type Conv1DPadding } from './layers/conv1d.js';
export { TCN, type TCNOptions, type TCNNormalization, type TCNActivation } from './layers/tcn.js';
export { TDNN, type TDNNOptions, type TDNNActivation } from './layers/tdnn.js';
export { Conv2D, type Conv2DOptions, type Conv2DActivation, type Conv2DPadding } from './layers/conv2d.js';
export {
  MaxPooling1D, AveragePooling1D, MaxPooling2D, AveragePooling2D, type Pooling1DOptions, type Pooling2DOptions, type PoolingPadding,
} from './layers/pooling.js';
export {
  GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, type GlobalPoolingOptions,
} from './layers/global-pooling.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { Flatten, type FlattenOptions } from './layers/flatten.js';
export { Dropout, type DropoutOptions } from './layers/dropout.js';
export { Bidirectional, type BidirectionalOptions, type MergeMode } from './layers/bidirectional.js';
export {
  Sequential, NonFiniteError, type SequentialOptions, type SequentialLayer, type SequentialJSON, type CompileOptions, type FitOptions, type DataOptions,
  type Callbacks, type EpochLogs, type BatchLogs, type History, type EarlyStopping, type ModelState, type GenerateOptions as SequentialGenerateOptions, type Loss,
} from './models/sequential.js';
export { Attention, type AttentionOptions, type AttentionCache, type AttentionForwardResult, type AttentionGradients } from './layers/attention.js';
export { AdditiveAttention, type AdditiveAttentionOptions } from './layers/additive-attention.js';
export type { CTCHypotheses } from './models/ctc.js';
export {
  EncoderDecoder, type EncoderDecoderOptions, type EncoderOptions, type DecoderOptions, type EncoderLayer, type DecoderLayer, type PairOptions,
  type EncoderDecoderFitOptions, type DecodeOptions, type Decoded, type EncoderDecoderJSON, type BeamSearchOptions, type BeamHypotheses, type AttentionKind,
} from './models/encoder-decoder.js';
export type { OptimizerConfig, OptimizerType, Schedule } from './models/optimizer.js';
export { lookbackWindows, type WindowOptions, type WindowSeries } from './models/windows.js';
export { StandardScaler, type ScalerFitOptions, type StandardScalerJSON } from './models/scaler.js';
export {
  NARX, type NARXOptions, type NARXActivation, type NARXFitOptions, type CloseLoopOptions, type SimulateOptions, type NARXJSON,
} from './forecast/narx.js';
export { delayWindows, type DelayWindows, type DelayOptions, type SeriesLike } from './forecast/delays.js';
export { AR, type AROptions, type ARCriterion, type ARCandidate, type ARFitOptions, type ARForecastOptions, type ARPredictOptions, type ARJSON } from './forecast/ar.js';
export { directionMetrics, directionBaselines, type DirectionMetrics, type DirectionBaselineOptions } from './forecast/direction.js';
export {
  Autoencoder, sequenceAutoencoder, type AutoencoderOptions, type AutoencoderActivation, type AutoencoderFitOptions, type AutoencoderJSON,
  type DenoisingOptions, type SparsityOptions, type PretrainOptions, type SequenceAutoencoderOptions,
} from './models/autoencoder.js';
export type { TiedDense, TiedActivation } from './layers/tied-dense.js';
// Types that the public signatures above use, exported so that users can name them (and the API
// reference links them): the model-level forward/backward, saved files, the layer contract.
export type { ModelForwardOptions, ModelForwardResult, ModelBackwardOptions, ModelBackwardResult, ModelCache, ModelGradients, ModelStates, LayerStates } from './models/sequential.js';
export type { CTCOptions, TrainingJSON } from './models/training.js';
export type { SavedModel, SavedTraining } from './models/model.js';
export type { LayerJSON, AnyLayer } from './models/saving.js';
export type { SimpleRNNVariant } from './layers/simple-rnn.js';
export type { PeepholeGate } from './layers/lstm.js';
export type { RecurrentLayer, StateName } from './layers/recurrent.js';
export type { PointwiseActivation } from './layers/activation.js';
export type { ConvActivation } from './layers/convolution.js';
export type { PoolPadding } from './kernels/pool.js';
export type { ReadoutFeature } from './kernels/esn.js';
export type { EsnSettings, EsnReadoutSettings } from './esn/options.js';
export type { ReservoirArrays } from './esn/reservoir.js';
export type { ColumnsLike } from './forecast/series.js';
export type { ModelLayer, Flow, Batch } from './layers/layer.js';
export type { Model, ModelData, BaseFitOptions } from './models/model.js';
export type { SamplingOptions } from './models/data.js';
export type { WeightedLayer } from './layers/base.js';

// Autoencoders (src/models/autoencoder.ts): the KL sparsity kernel against its f64 reference on
// both builds (SIMD = scalar bit for bit) and the reference's gradient against central
// differences; whole-model gradients (tied weights, the sparsity penalty) against central
// differences of an f64 reference autoencoder; a linear autoencoder against PCA on the digits;
// a denoising autoencoder against the identity; greedy pretraining then fine-tuning;
// determinism; save/load (tied layers included); errors; the sequence autoencoder.
import { beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Autoencoder, sequenceAutoencoder } from '../src/models/autoencoder.js';
import { TiedDense } from '../src/layers/tied-dense.js';
import { klSparsityF32 } from '../src/kernels/autoencoder.js';
import * as ref from '../src/reference/autoencoder.js';
import { backendFor, BUILDS } from './helpers/backends.js';
import { checkGradients } from './helpers/gradcheck.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { makeRandom } from './helpers/random.js';
import { readDigits } from './helpers/digits.js';
import { covariance, symmetricEigenvalues } from './helpers/eigen.js';

beforeAll(async () => {
  await init();
});

const digits = readDigits();
const F = 64;
const tensor = (data: Float32Array, shape: number[]) => ({ data, shape });
const rowsOf = (x: Float32Array, from: number, to: number) => tensor(x.slice(from * F, to * F), [to - from, F]);
const mse = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
};
const uniforms = (n: number, seed: number, lo = 0, hi = 1) => {
  const next = makeRandom(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
};

describe('kl_sparsity_f32 vs the f64 reference', () => {
  const rows = 7;
  const units = 5;
  const h = uniforms(rows * units, 3, 0.01, 0.6);
  const dH0 = uniforms(rows * units, 4, -1, 1);
  const rho = 0.1;
  const beta = 0.7;

  it('the reference gradient matches central differences of the reference penalty', () => {
    const h64 = Float64Array.from(h);
    const { dH } = ref.klSparsity(h64, rows, units, rho, beta);
    checkGradients('klSparsity', { h: h64 }, { h: dH }, () => ref.klSparsity(h64, rows, units, rho, beta).penalty, { tolerance: 1e-7 });
  });

  const results: { penalty: number; dH: Float32Array; value: number }[] = [];
  for (const build of BUILDS) {
    it(`${build.name}: penalty and gradient as the reference; value-only leaves nothing written`, async () => {
      const b = await backendFor(build.simd);
      const hBuf = b.allocF32(rows * units);
      const dBuf = b.allocF32(rows * units);
      hBuf.write(h);
      dBuf.write(dH0);
      const penalty = klSparsityF32(b, { dH: dBuf.ptr, h: hBuf.ptr }, rows, units, rho, beta);
      const dH = dBuf.read();
      const value = klSparsityF32(b, { dH: 0, h: hBuf.ptr }, rows, units, rho, beta);
      const want = ref.klSparsity(h, rows, units, rho, beta);
      expect(Math.abs(penalty - want.penalty)).toBeLessThan(1e-12 * Math.max(1, want.penalty));
      expect(value).toBe(penalty);
      let worst = 0;
      for (let i = 0; i < dH.length; i++) worst = Math.max(worst, Math.abs(dH[i] - (dH0[i] + want.dH[i])));
      expect(worst).toBeLessThan(1e-6);
      expectSameBits('h untouched', hBuf.read(), h);
      results.push({ penalty, dH, value });
      hBuf.dispose();
      dBuf.dispose();
    });
  }
  it('SIMD and scalar builds agree bit for bit', () => {
    expect(results).toHaveLength(2);
    expect(results[0].penalty).toBe(results[1].penalty);
    expectSameBits('dH', results[0].dH, results[1].dH);
  });
});

/** The model's layers as reference layers (f64 copies of the weights; a tied decoder layer reads its source's W). */
function referenceLayers(ae: Autoencoder): ref.ReferenceLayer[] {
  const enc = ae.encoderLayers.map((layer, k) => {
    const w = layer.getWeights();
    return {
      W: Float64Array.from(w.weight.data), b: Float64Array.from(w.bias.data), inDim: layer.inputSize, outDim: layer.units,
      activation: layer.activation as ref.ReferenceActivation, transposed: false, k,
    };
  });
  const dec = ae.decoderLayers.map((layer) => {
    const w = layer.getWeights();
    if (layer instanceof TiedDense) {
      const source = enc[ae.encoderLayers.indexOf(layer.source)];
      return { W: source.W, b: Float64Array.from(w.bias.data), inDim: layer.inputSize, outDim: layer.units, activation: layer.activation, transposed: true };
    }
    return { W: Float64Array.from(w.weight.data), b: Float64Array.from(w.bias.data), inDim: layer.inputSize, outDim: layer.units, activation: layer.activation as ref.ReferenceActivation, transposed: false };
  });
  return [...enc, ...dec];
}

describe('whole-model gradients vs central differences of the f64 reference', () => {
  const N = 6;
  const I = 7;
  const x = uniforms(N * I, 21, 0, 1);
  const cases = [
    { name: 'tied, two layers (sigmoid, tanh code), linear output', options: { encoder: [5, 3], activation: 'sigmoid', codeActivation: 'tanh', tied: true } },
    { name: 'tied, one layer, sigmoid output', options: { encoder: [4], tied: true, outputActivation: 'sigmoid' } },
    { name: 'untied, sparse sigmoid code (target 0.1, weight 0.5)', options: { encoder: [6, 4], activation: 'tanh', codeActivation: 'sigmoid', sparsity: { target: 0.1, weight: 0.5 } } },
    { name: 'tied and sparse', options: { encoder: [5], tied: true, sparsity: { target: 0.2, weight: 1 } } },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const ae = new Autoencoder({ inputSize: I, seed: 5, ...c.options });
      ae.compile({ loss: 'mse' });
      const { loss, gradients } = ae.computeGradients(tensor(x, [N, I]));
      const layers = referenceLayers(ae);
      const sparsity = ae.sparsity ?? undefined;
      const codeLayer = ae.encoderLayers.length - 1;
      const refLoss = () => ref.autoencoderLoss(x, N, layers, codeLayer, sparsity);
      expect(Math.abs(loss - refLoss())).toBeLessThan(1e-6);
      // The analytic gradients are the model's (f32, both uses of a tied weight summed in the slab).
      const inputs: Record<string, Float64Array> = {};
      const analytic: Record<string, ArrayLike<number>> = {};
      const all = [...ae.encoderLayers, ...ae.decoderLayers];
      all.forEach((layer, i) => {
        const g = layer.gradientWeights(gradients, 'native');
        if (g.weight) {
          inputs[`W${i}`] = layers[i].W;
          analytic[`W${i}`] = g.weight.data;
        }
        inputs[`b${i}`] = layers[i].b;
        analytic[`b${i}`] = g.bias.data;
      });
      checkGradients(c.name, inputs, analytic, refLoss, { epsilon: 1e-6, tolerance: 2e-6 });
      if (ae.tied) {
        // The tied weight's gradient is the sum of its two uses: not the encoder's share alone.
        expect(Object.keys(analytic).filter((k) => k.startsWith('W'))).toHaveLength(ae.encoderLayers.length);
      }
      ae.dispose();
    });
  }
});

describe('on the 8×8 digits', () => {
  const { x, N } = digits;
  const all = tensor(x, [N, F]);

  it('a linear autoencoder with an 8-unit code reaches PCA\'s reconstruction error with 8 components (within 1 %)', async () => {
    // PCA with centring: the autoencoder has biases, so its best is the centred rank-8 projection,
    // whose mean squared error per pixel is the sum of the 56 smallest covariance eigenvalues / 64.
    const lambda = symmetricEigenvalues(covariance(x, N, F), F);
    let tail = 0;
    for (let k = 8; k < F; k++) tail += lambda[k];
    const pca = tail / F;
    const results: string[] = [];
    for (const tied of [false, true]) {
      const ae = new Autoencoder({ inputSize: F, encoder: [8], activation: 'linear', outputActivation: 'linear', tied, seed: 1 });
      const epochs = tied ? 150 : 300;
      ae.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.02, schedule: { type: 'cosine', totalSteps: epochs * Math.ceil(N / 128), minLearningRate: 2e-4 } } });
      await ae.fit(all, { epochs, batchSize: 128 });
      const got = ae.evaluate(all).loss;
      results.push(`${tied ? 'tied' : 'untied'} ${got.toFixed(6)} (${((got / pca - 1) * 100).toFixed(3)} % above)`);
      expect(got).toBeGreaterThanOrEqual(pca * (1 - 1e-4)); // no linear rank-8 map beats PCA
      expect(got).toBeLessThan(pca * 1.01);
      ae.dispose();
    }
    console.log(`linear autoencoder vs PCA (8 components, MSE per pixel ${pca.toFixed(6)}): ${results.join('; ')}`);
  });

  it('a denoising autoencoder reconstructs clean digits from masked ones better than the identity', async () => {
    const split = 1400; // writers kept apart
    const train = rowsOf(x, 0, split);
    const test = rowsOf(x, split, N);
    const results: string[] = [];
    for (const denoising of [{ noise: 'mask', level: 0.3 }, { noise: 'gaussian', level: 0.3 }] as const) {
      const ae = new Autoencoder({ inputSize: F, encoder: [48], activation: 'sigmoid', outputActivation: 'sigmoid', denoising, seed: 2 });
      ae.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
      await ae.fit(train, { epochs: 25, batchSize: 64 });
      // Held-out digits corrupted by the same kind of noise, drawn here.
      const next = makeRandom(99);
      const noisy = test.data.map((v) => (denoising.noise === 'mask' ? (next() < denoising.level ? 0 : v) : v + denoising.level * gaussian(next)));
      const identity = mse(noisy, test.data);
      const reconstructed = mse(ae.predict(tensor(noisy, test.shape)).data, test.data);
      results.push(`${denoising.noise} ${denoising.level}: MSE(ae(noisy), clean) ${reconstructed.toFixed(5)} vs MSE(noisy, clean) ${identity.toFixed(5)}`);
      expect(reconstructed).toBeLessThan(identity * 0.5);
      ae.dispose();
    }
    console.log(`denoising, held-out digits: ${results.join('; ')}`);
  });

  it('pretrainStack, then fit, lowers the loss below pretraining alone', async () => {
    const train = rowsOf(x, 0, 1000);
    const ae = new Autoencoder({ inputSize: F, encoder: [32, 12], activation: 'sigmoid', outputActivation: 'sigmoid', seed: 3 });
    ae.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    const initial = ae.evaluate(train).loss;
    const epochsSeen: number[] = [];
    const { histories } = await ae.pretrainStack(train, { epochs: 6, batchSize: 64, callbacks: { onTrainBegin: ({ epochs }) => { epochsSeen.push(epochs); } } });
    expect(histories).toHaveLength(2);
    expect(epochsSeen).toEqual([6, 6]);
    for (const h of histories) expect(h.loss[h.loss.length - 1]).toBeLessThan(h.loss[0]);
    const pretrained = ae.evaluate(train).loss;
    expect(ae.steps).toBe(0); // the stack itself has not been updated yet
    await ae.fit(train, { epochs: 6, batchSize: 64 });
    const tuned = ae.evaluate(train).loss;
    console.log(`stacked 64-32-12 autoencoder on 1000 digits: loss ${initial.toFixed(5)} at initialisation, ${pretrained.toFixed(5)} after pretrainStack (6 epochs per layer), ${tuned.toFixed(5)} after 6 epochs of fine-tuning`);
    expect(pretrained).toBeLessThan(initial);
    expect(tuned).toBeLessThan(pretrained);
    ae.dispose();
  });
});

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

describe('determinism, saving, errors', () => {
  const N = 40;
  const x = uniforms(N * 10, 8);
  const data = tensor(x, [N, 10]);
  const make = (seed = 4) => new Autoencoder({
    inputSize: 10, encoder: [6, 3], activation: 'tanh', codeActivation: 'sigmoid', tied: true,
    denoising: { noise: 'gaussian', level: 0.2 }, sparsity: { target: 0.2, weight: 0.1 }, seed,
  });

  it('the same seed gives the same bits (noise included); another seed does not', async () => {
    const runs = await Promise.all([4, 4, 5].map(async (seed) => {
      const ae = make(seed);
      ae.compile({ loss: 'mse', optimizer: 'adam' });
      await ae.fit(data, { epochs: 3, batchSize: 8 });
      const p = ae.getParameters();
      ae.dispose();
      return p;
    }));
    expectSameBits('seed 4 twice', runs[0], runs[1]);
    expect(runs[2]).not.toEqual(runs[0]);
  });

  it('the noise is applied only while training: predict and evaluate see the clean input', () => {
    const ae = make();
    ae.compile({ loss: 'mse' });
    const a = ae.predict(data).data;
    const b = ae.predict(data).data;
    expectSameBits('predict twice', a, b);
    expect(ae.evaluate(data).loss).toBe(ae.evaluate(data).loss);
    // decode(encode(x)) = predict(x)
    expectSameBits('decode ∘ encode', ae.decode(ae.encode(data)).data, a);
    expect(ae.encode(data).shape).toEqual([N, 3]);
    ae.dispose();
  });

  it('save/load round trip (tied layers stay tied) and resumed training is bit-identical', async () => {
    const ae = make();
    ae.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    await ae.fit(data, { epochs: 2, batchSize: 8 });
    const json = JSON.parse(JSON.stringify(ae.toJSON())) as unknown;
    const back = Autoencoder.fromJSON(json);
    expect(back.decoderLayers.every((l) => l instanceof TiedDense)).toBe(true);
    expect(back.decoderLayers.map((l) => (l as TiedDense).source)).toEqual([back.encoderLayers[1], back.encoderLayers[0]]);
    expect(back.paramCount).toBe(ae.paramCount);
    expectSameBits('parameters', back.getParameters(), ae.getParameters());
    expectSameBits('predict', back.predict(data).data, ae.predict(data).data);
    expect(back.epochsTrained).toBe(2);
    await ae.fit(data, { epochs: 2, batchSize: 8 });
    await back.fit(data, { epochs: 2, batchSize: 8 });
    expectSameBits('resumed', back.getParameters(), ae.getParameters());
    // Tied after loading: changing the encoder weight changes what the decoder reads.
    const before = back.predict(data).data;
    const w = back.getWeights();
    w.encoder[0].weight.data[0] += 0.5;
    back.setWeights({ encoder: w.encoder, decoder: w.decoder });
    expect(back.decoderLayers[1].getWeights()).toEqual(w.decoder[1]);
    expect(back.predict(data).data).not.toEqual(before);
    const corrupted = { ...(json as Record<string, unknown>), parameters: 'AAAA' };
    expect(thrown(() => Autoencoder.fromJSON(corrupted))).toEqual({
      type: 'RangeError', message: `Autoencoder.fromJSON: parameters is corrupted (not base64 of ${ae.paramCount} floats, as the architecture needs)`,
    });
    ae.dispose();
    back.dispose();
  });

  it('refuses bad options and data with full messages, changing nothing', () => {
    const bad = (options: unknown) => thrown(() => new Autoencoder(options as ConstructorParameters<typeof Autoencoder>[0]));
    expect(bad({ inputSize: 4, encoder: [] })).toEqual({ type: 'TypeError', message: 'Autoencoder: options.encoder must be a non-empty array of layer sizes (units), got Array(0)' });
    expect(bad({ inputSize: 4, encoder: [2, 0] }).message).toBe('Autoencoder: options.encoder[1] must be ≥ 1, got 0');
    expect(bad({ inputSize: 4, encoder: [2], sparsity: { target: 0.1, weight: 1 }, codeActivation: 'tanh' })).toEqual({
      type: 'RangeError', message: "Autoencoder: options.sparsity needs a sigmoid code (its KL penalty compares mean activations in (0, 1) with the target), got codeActivation 'tanh'",
    });
    expect(bad({ inputSize: 4, encoder: [2], denoising: { noise: 'mask', level: 1 } })).toEqual({
      type: 'RangeError', message: 'Autoencoder: options.denoising.level must be a number in [0, 1) (the fraction of inputs zeroed), got 1',
    });
    expect(bad({ inputSize: 4, encoder: [2], sparsity: { target: 1.5, weight: 1 } }).message).toBe('Autoencoder: options.sparsity.target must be a number in (0, 1) (the mean code activation wanted), got 1.5');
    expect(bad({ inputSize: 4, encoder: [2], denoise: true }).type).toBe('RangeError');
    expect(bad({ inputSize: 4, encoder: [2], backend: {} })).toEqual({ type: 'TypeError', message: 'Autoencoder: options.backend must be a Backend, got Object' });
    const ae = make();
    expect(thrown(() => ae.compile({ loss: 'crossEntropy' }))).toEqual({
      type: 'RangeError', message: "Autoencoder.compile: an Autoencoder reconstructs its input: options.loss must be 'mse', got 'crossEntropy'",
    });
    ae.compile({ loss: 'mse' });
    const before = ae.getParameters();
    expect(thrown(() => ae.predict(tensor(new Float32Array(9), [3, 3])))).toEqual({
      type: 'RangeError', message: 'Autoencoder.predict: x.shape[1] (features) is 3 but must be 10',
    });
    const nan = x.slice();
    nan[13] = NaN;
    expect(thrown(() => ae.evaluate(tensor(nan, [N, 10])))).toEqual({ type: 'RangeError', message: 'Autoencoder.evaluate: x holds NaN at [1][3]; inputs must be finite' });
    expect(thrown(() => ae.decode(tensor(new Float32Array(8), [2, 4]))).message).toBe('Autoencoder.decode: code.shape[1] (features) is 4 but must be 3');
    expect(thrown(() => ae.evaluate(data, tensor(new Float32Array(10), [1, 10]))).message).toBe('Autoencoder.evaluate: target.shape[0] (samples) is 1 but must be 40');
    expectSameBits('unchanged', ae.getParameters(), before);
    ae.dispose();
  });

  it('fit(x, target) reconstructs a given target; pretrainStack refuses bad options before training', async () => {
    const ae = new Autoencoder({ inputSize: 10, encoder: [4], seed: 9 });
    ae.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    const target = tensor(x.map((v) => 1 - v), [N, 10]);
    const h = await ae.fit(data, target, { epochs: 20, batchSize: 10 });
    expect(h.loss[h.loss.length - 1]).toBeLessThan(h.loss[0]);
    expect(ae.evaluate(data, target).loss).toBeLessThan(ae.evaluate(data).loss);
    const before = ae.getParameters();
    await expect(ae.pretrainStack(data, { epochs: 0 })).rejects.toThrow('Autoencoder.pretrainStack: options.epochs must be ≥ 1, got 0');
    await expect(ae.pretrainStack(data, { optimizer: 'nope' as 'adam' })).rejects.toThrow(/^Autoencoder\.pretrainStack: optimizer\.type must be one of/);
    expectSameBits('unchanged', ae.getParameters(), before);
    ae.dispose();
  });
});

describe('sequence autoencoder', () => {
  it('encode returns the final states; the model learns to reproduce toy sequences', async () => {
    const N = 96;
    const T = 8;
    const next = makeRandom(17);
    // Sine waves of random phase and frequency, two channels (sin, cos).
    const data = new Float32Array(N * T * 2);
    for (let n = 0; n < N; n++) {
      const phase = 2 * Math.PI * next();
      const freq = 0.3 + 0.5 * next();
      for (let t = 0; t < T; t++) {
        data[(n * T + t) * 2] = Math.sin(phase + freq * t);
        data[(n * T + t) * 2 + 1] = Math.cos(phase + freq * t);
      }
    }
    const x = tensor(data, [N, T, 2]);
    const model = sequenceAutoencoder({ inputSize: 2, units: 16, seed: 3 });
    model.compile({ loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 } });
    const states = model.encode(x);
    expect(states).toHaveLength(1);
    expect(states[0].h!.shape).toEqual([N, 16]);
    expect(states[0].c!.shape).toEqual([N, 16]);
    const start = model.evaluate(x, x).loss;
    await model.fit(x, x, { epochs: 40, batchSize: 16 });
    const teacherForced = model.evaluate(x, x).loss;
    const free = mse(model.predict(x, { length: T }).data, data);
    const variance = mse(data, new Float32Array(data.length)); // the signals have mean ≈ 0
    console.log(`sequence autoencoder (LSTM 16) on ${N} two-channel sine waves of ${T} steps: MSE ${start.toFixed(4)} → ${teacherForced.toFixed(4)} teacher-forced, ${free.toFixed(4)} free-running; signal power ${variance.toFixed(3)}`);
    expect(teacherForced).toBeLessThan(0.05 * variance);
    expect(free).toBeLessThan(0.25 * variance);
    // Final states after the real steps only: a padded copy with sourceLengths gives the same code.
    const padded = new Float32Array(N * (T + 3) * 2);
    for (let n = 0; n < N; n++) padded.set(data.subarray(n * T * 2, (n + 1) * T * 2), n * (T + 3) * 2);
    const again = model.encode(tensor(padded, [N, T + 3, 2]), { sourceLengths: Array.from({ length: N }, () => T) });
    const plain = model.encode(x);
    let worst = 0;
    for (let i = 0; i < plain[0].h!.data.length; i++) worst = Math.max(worst, Math.abs(plain[0].h!.data[i] - again[0].h!.data[i]));
    expect(worst).toBeLessThan(1e-6);
    expect(thrown(() => model.encode(x, { batch: 2 } as never)).message).toBe("EncoderDecoder.encode: unknown option 'batch' (known: sourceLengths, batchSize)");
    model.dispose();
  });
});

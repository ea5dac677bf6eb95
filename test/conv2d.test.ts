// Conv2D as a layer of a Sequential: TF.js parity on identical weights (conv2d 'same'/'valid',
// strides, dilation, depthwise as depthwiseConv2d), gradients of a whole image model against
// central differences, the course's worked example and shape arithmetic, weight layouts both
// ways, saving, and clear errors.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init } from '../src/engine/init.js';
import { Conv1D } from '../src/layers/conv1d.js';
import { Conv2D } from '../src/layers/conv2d.js';
import { Dense } from '../src/layers/dense.js';
import { Flatten } from '../src/layers/flatten.js';
import { AveragePooling2D, MaxPooling2D } from '../src/layers/pooling.js';
import { Sequential } from '../src/models/sequential.js';
import { expectSameBits, thrown } from './helpers/compare.js';
import { compareWithTfjs, gradientError, worstVsTfjs } from './helpers/model-checks.js';
import { makeRandom, randomFloat32 } from './helpers/random.js';

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
});

const t = (data: Float32Array, shape: number[]) => ({ data, shape });

afterAll(() => console.log(`Conv2D vs TF.js, worst |ours − theirs| / scale: predictions ${worstVsTfjs.predictions.toExponential(2)}, weights after one SGD step ${worstVsTfjs.weights.toExponential(2)}`));

/** Perturbs a model's initial parameters (so biases are not zero) from a seed. */
function jiggle(model: Sequential, seed: number): void {
  const params = model.getParameters();
  const noise = randomFloat32(params.length, seed, -0.3, 0.3);
  model.setParameters(params.map((v, i) => v + noise[i]));
}

describe('Conv2D against TensorFlow.js', () => {
  // ≤ 2e-5 of each array's scale, as in conv1d.test.ts (f32 on both sides). TF.js has no gradient
  // for dilation > 1: the dilated case compares predictions only.
  const cases = [
    { name: "'same', relu, 3×3", kernelSize: 3 as number | [number, number], strides: 1 as number | [number, number], padding: 'same' as const, dilation: 1 as number | [number, number], activation: 'relu' as const, train: true },
    { name: "'valid', tanh, 3×2 kernel, strides [2, 1]", kernelSize: [3, 2] as [number, number], strides: [2, 1] as [number, number], padding: 'valid' as const, dilation: 1, activation: 'tanh' as const, train: true },
    { name: "'same', sigmoid, strides 2 (odd size: padding after)", kernelSize: 2, strides: 2, padding: 'same' as const, dilation: 1, activation: 'sigmoid' as const, train: true },
    { name: "'valid', dilation [2, 1]", kernelSize: 3, strides: 1, padding: 'valid' as const, dilation: [2, 1] as [number, number], activation: 'linear' as const, train: false },
    { name: "'same', dilation 2", kernelSize: 2, strides: 1, padding: 'same' as const, dilation: 2, activation: 'relu' as const, train: false },
  ];
  for (const c of cases) {
    it(`${c.name}: predictions${c.train ? ' and the weights after one SGD step' : ''}`, async () => {
      const [N, H, W, C, F] = [3, 7, 6, 3, 4];
      const ours = new Sequential({
        inputShape: [H, W, C], seed: 2,
        layers: [new Conv2D({ filters: F, kernelSize: c.kernelSize, strides: c.strides, padding: c.padding, dilation: c.dilation, activation: c.activation }), new Flatten(), new Dense({ units: 2 })],
      });
      const theirs = tf.sequential({
        layers: [
          tf.layers.conv2d({ filters: F, kernelSize: c.kernelSize, strides: c.strides, padding: c.padding, dilationRate: c.dilation, activation: c.activation, inputShape: [H, W, C] }),
          tf.layers.flatten(),
          tf.layers.dense({ units: 2 }),
        ],
      });
      expect((ours.layers[0] as Conv2D).built).toBe(true);
      await compareWithTfjs(ours, theirs, randomFloat32(N * H * W * C, 4, -2, 2), [N, H, W, C], [N, 2], c.train, 13);
    });
  }

  it('depthwise (groups = channels = filters) = depthwiseConv2d: predictions and the weights after one SGD step', async () => {
    // Our kernel [KH, KW, 1, C] holds the same floats as TF.js's depthwise kernel [KH, KW, C, 1].
    const [N, H, W, C] = [2, 6, 5, 4];
    const ours = new Sequential({ inputShape: [H, W, C], seed: 4, layers: [new Conv2D({ filters: C, kernelSize: 3, groups: C, padding: 'same', activation: 'tanh' }), new Flatten(), new Dense({ units: 2 })] });
    const theirs = tf.sequential({
      layers: [tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 1, padding: 'same', activation: 'tanh', inputShape: [H, W, C] }), tf.layers.flatten(), tf.layers.dense({ units: 2 })],
    });
    expect(ours.getWeights({ format: 'keras' })[0].kernel.shape).toEqual([3, 3, 1, C]);
    await compareWithTfjs(ours, theirs, randomFloat32(N * H * W * C, 6, -2, 2), [N, H, W, C], [N, 2], true, 15);
  });
});

describe('Conv2D in a Sequential', () => {
  it('Conv2D → MaxPooling2D → Conv2D (groups 2) → AveragePooling2D (same) → Flatten → Dense: every gradient = central differences, and dInput', () => {
    // f32 model, error ≤ 2e-3 of the largest gradient, as in conv1d.test.ts, with steps of 3e-3:
    // with 1e-2 a step of one weight swaps the winner of a max-pool window (checked: weight 59 of
    // these seeded data, 3.3e-3), with 3e-3 no step does (every weight ≤ 1e-4).
    const [N, H, W, C] = [2, 9, 8, 2];
    const model = new Sequential({
      inputShape: [H, W, C], seed: 7, layers: [
        new Conv2D({ filters: 4, kernelSize: 3, activation: 'tanh' }), // 7×6×4
        new MaxPooling2D(), // 3×3×4
        new Conv2D({ filters: 4, kernelSize: 2, padding: 'same', groups: 2, activation: 'sigmoid' }), // 3×3×4 (smooth: a relu kink within a step would break the differences)
        new AveragePooling2D({ poolSize: 2, padding: 'same' }), // 2×2×4, windows clipped at the edge
        new Flatten(),
        new Dense({ units: 3 }),
      ],
    });
    jiggle(model, 8);
    model.compile({ loss: 'mse', optimizer: 'sgd' });
    const x = t(randomFloat32(N * H * W * C, 9), [N, H, W, C]);
    const y = t(randomFloat32(N * 3, 10), [N, 3]);
    expect(model.predict(x).shape).toEqual([N, 3]);
    const { error, scale } = gradientError(model, x, y, { step: 3e-3 });
    expect(scale).toBeGreaterThan(1e-3);
    expect(error).toBeLessThan(2e-3);
    // dInput of the whole model against central differences of the loss (backward from dOut = the MSE gradient).
    const out = model.predict(x).data;
    const dOut = out.map((v, i) => (2 * (v - y.data[i])) / out.length);
    const { cache } = model.forward(x);
    const dInput = model.backward(cache, { dOutput: t(dOut, [N, 3]) }).dInput!;
    expect(dInput.shape).toEqual([N, H, W, C]);
    const dScale = Math.max(...dInput.data.map(Math.abs));
    const next = makeRandom(11);
    let worstInput = 0;
    for (let k = 0; k < 30; k++) {
      const i = Math.floor(next() * x.data.length);
      const moved = (h: number) => {
        const d = x.data.slice();
        d[i] += h;
        return model.computeGradients(t(d, [N, H, W, C]), y).loss;
      };
      worstInput = Math.max(worstInput, Math.abs((moved(3e-3) - moved(-3e-3)) / 6e-3 - dInput.data[i]));
    }
    expect(worstInput / dScale).toBeLessThan(2e-3);
    model.dispose();
  });

  it("the course's worked example: the 9×9 image ⋆ [[1,2,1],[0,0,0],[−1,−2,−1]] gives a 7×7 map that starts 0, 8, 8 and ends with 6", () => {
    const image = [
      [0, 2, 3, 3, 5, 6, 1, 2, 3], [0, 1, 4, 3, 5, 1, 1, 0, 5], [3, 2, 0, 1, 4, 5, 2, 1, 6], [4, 1, 1, 2, 0, 1, 3, 0, 3], [0, 1, 3, 2, 1, 1, 1, 2, 2],
      [1, 0, 2, 0, 2, 2, 0, 2, 0], [1, 2, 0, 5, 0, 2, 1, 4, 0], [0, 3, 2, 4, 1, 0, 4, 3, 0], [1, 1, 1, 2, 3, 0, 3, 0, 0],
    ];
    const model = new Sequential({ inputShape: [9, 9, 1], layers: [new Conv2D({ filters: 1, kernelSize: 3, useBias: false })] });
    model.setWeights([{ kernel: { data: Float32Array.from([1, 2, 1, 0, 0, 0, -1, -2, -1]), shape: [3, 3, 1, 1] } }], { format: 'keras' });
    const y = model.predict(t(Float32Array.from(image.flat()), [1, 9, 9, 1]));
    expect(y.shape).toEqual([1, 7, 7, 1]);
    expect(Array.from(y.data.slice(0, 3))).toEqual([0, 8, 8]);
    expect(y.data[48]).toBe(6);
    model.dispose();
  });

  it("the course's shape arithmetic: 200×200×1 → 4 filters 5×5 → 196×196×4 → pool 98×98 → 7 filters 3×3 → 96×96×7 → pool 48×48; 4·25 + 4 and 7·4·9 + 7 parameters", () => {
    const layers = () => [new Conv2D({ filters: 4, kernelSize: 5 }), new MaxPooling2D({ poolSize: 2 }), new Conv2D({ filters: 7, kernelSize: 3 }), new MaxPooling2D({ poolSize: 2 })];
    const x = t(randomFloat32(200 * 200, 12, 0, 1), [1, 200, 200, 1]);
    const shapes = [[196, 196, 4], [98, 98, 4], [96, 96, 7], [48, 48, 7]];
    for (let depth = 1; depth <= 4; depth++) {
      const model = new Sequential({ inputShape: [200, 200, 1], seed: 1, layers: layers().slice(0, depth) });
      expect(model.outputShape).toEqual(shapes[depth - 1]);
      expect(model.predict(x).shape).toEqual([1, ...shapes[depth - 1]]);
      if (depth === 4) {
        const weights = model.getWeights({ format: 'keras' });
        expect(weights.map((w) => Object.values(w).map((v) => v.shape))).toEqual([[[5, 5, 1, 4], [4]], [], [[3, 3, 4, 7], [7]], []]);
        const counts = weights.map((w) => Object.values(w).reduce((n, v) => n + v.data.length, 0));
        expect(counts).toEqual([4 * 25 + 4, 0, 7 * 4 * 9 + 7, 0]);
        expect(model.getParameters().length).toBeGreaterThanOrEqual(104 + 259); // the slab aligns each layer's region to 4 floats
      }
      model.dispose();
    }
  });

  it('weight layouts: native = Keras [KH, KW, C/groups, F]; PyTorch [F, C/groups, KH, KW]; both ways, with groups', () => {
    const conv = new Conv2D({ filters: 6, kernelSize: [3, 2], groups: 2, inputChannels: 4, seed: 3 });
    const native = conv.getWeights();
    const keras = conv.getWeights({ format: 'keras' });
    const torch = conv.getWeights({ format: 'pytorch' });
    expect(native.weight.shape).toEqual([3, 2, 2, 6]);
    expect(keras.kernel.shape).toEqual([3, 2, 2, 6]);
    expect(torch.weight.shape).toEqual([6, 2, 3, 2]);
    expectSameBits('keras = native', keras.kernel.data, native.weight.data);
    for (let f = 0; f < 6; f++) for (let c = 0; c < 2; c++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 2; kw++) {
      expect(torch.weight.data[((f * 2 + c) * 3 + kh) * 2 + kw]).toBe(native.weight.data[((kh * 2 + kw) * 2 + c) * 6 + f]);
    }
    // Glorot-uniform: |w| ≤ √(6 / (KH·KW·C/groups + KH·KW·F)); zero bias.
    expect(Math.max(...native.weight.data.map(Math.abs))).toBeLessThanOrEqual(Math.fround(Math.sqrt(6 / (6 * 2 + 6 * 6))));
    expect(Array.from(native.bias.data)).toEqual(new Array(6).fill(0));
    const other = new Conv2D({ filters: 6, kernelSize: [3, 2], groups: 2, inputChannels: 4, seed: 4 });
    other.setWeights(torch, { format: 'pytorch' });
    expectSameBits('pytorch round trip', other.getWeights().weight.data, native.weight.data);
    other.setWeights({ kernel: keras.kernel, bias: { data: new Float32Array(6).fill(1), shape: [6] } }, { format: 'keras' });
    expectSameBits('keras round trip', other.getWeights().weight.data, native.weight.data);
    expect(other.getWeights().bias.data[5]).toBe(1);
    expect(thrown(() => other.setWeights({ weight: torch.weight, bias: native.bias })).message)
      .toBe('Conv2D.setWeights: weights.weight has shape [6, 2, 3, 2] (72 values) but must be [3, 2, 2, 6]');
    expect(thrown(() => other.setWeights({ kernel: keras.kernel }, { format: 'keras' })).message).toBe('Conv2D.setWeights: weights.bias is missing (expected shape [6])');
    expect(other.getWeights().bias.data[5]).toBe(1); // the failed calls changed nothing
    const noBias = new Conv2D({ filters: 2, kernelSize: 1, useBias: false, inputChannels: 3 });
    expect(Object.keys(noBias.getWeights({ format: 'pytorch' }))).toEqual(['weight']);
    for (const layer of [conv, other, noBias]) layer.dispose();
  });

  it('save/load gives the same predictions bit for bit, and keeps every option', () => {
    const [N, H, W, C] = [2, 8, 7, 3];
    const model = new Sequential({
      inputShape: [H, W, C], seed: 9, layers: [
        new Conv2D({ filters: 4, kernelSize: [3, 2], strides: [1, 2], padding: 'same', dilation: [2, 1], activation: 'relu' }),
        new MaxPooling2D({ poolSize: [2, 1], strides: 1, padding: 'same' }),
        new Conv2D({ filters: 2, kernelSize: 1, groups: 2, useBias: false, activation: 'sigmoid' }),
        new Flatten(), new Dense({ units: 2 }),
      ],
    });
    jiggle(model, 10);
    const x = t(randomFloat32(N * H * W * C, 13), [N, H, W, C]);
    const json = JSON.parse(JSON.stringify(model.toJSON())) as unknown;
    const again = Sequential.fromJSON(json);
    const conv = again.layers[0] as Conv2D;
    expect([conv.kernelSize, conv.strides, conv.padding, conv.dilation, conv.activation]).toEqual([[3, 2], [1, 2], 'same', [2, 1], 'relu']);
    expect((again.layers[2] as Conv2D).useBias).toBe(false);
    expect((again.layers[1] as MaxPooling2D).poolSize).toEqual([2, 1]);
    expectSameBits('after save/load', again.predict(x).data, model.predict(x).data);
    model.dispose();
    again.dispose();
  });

  it('clear errors', () => {
    expect(thrown(() => new Sequential({ inputSize: 3, layers: [new Conv2D({ filters: 1, kernelSize: 3 })] })).message)
      .toBe('Sequential: layers[0]: Conv2D needs images [height, width, channels] as input, but gets sequences (use Conv1D, or give the model inputShape [height, width, channels])');
    expect(thrown(() => new Sequential({ inputShape: [4, 4, 1], layers: [new Conv2D({ filters: 1, kernelSize: 3 }), new Flatten(), new Conv2D({ filters: 1, kernelSize: 1 })] })).message)
      .toBe('Sequential: layers[2]: Conv2D needs images [height, width, channels] as input, but gets vectors');
    expect(thrown(() => new Sequential({ inputShape: [4, 6, 1], layers: [new Conv2D({ filters: 1, kernelSize: [5, 3] })] })).message)
      .toBe("Sequential: layers[0]: Conv2D's kernel 5×3 is larger than its input 4×6 with padding 'valid'");
    expect(thrown(() => new Sequential({ inputShape: [4, 6, 1], layers: [new Conv2D({ filters: 1, kernelSize: 2, dilation: [4, 1] })] })).message)
      .toBe("Sequential: layers[0]: Conv2D's kernel 2×2 with dilation 4×1 (5×2) is larger than its input 4×6 with padding 'valid'");
    expect(thrown(() => new Sequential({ inputShape: [4, 6, 3], layers: [new Conv2D({ filters: 2, kernelSize: 2, groups: 2 })] })).message)
      .toBe("Sequential: layers[0]: Conv2D's 3 input channels are not divisible by options.groups 2");
    expect(thrown(() => new Sequential({ inputShape: [4, 6, 3], layers: [new Conv2D({ filters: 2, kernelSize: 2, inputChannels: 2 })] })).message)
      .toBe('Sequential: layers[0]: Conv2D has inputChannels 2 but the layer below gives 3 channels');
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: 3, strides: 0 })).message).toBe('Conv2D: options.strides must be ≥ 1, got 0');
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: [3, 0] })).message).toBe('Conv2D: options.kernelSize[1] must be ≥ 1, got 0');
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: [3, 3, 3] as unknown as [number, number] })).message)
      .toBe('Conv2D: options.kernelSize must be a number or a pair [rows, columns], got an array of 3');
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: '3' as unknown as number })))
      .toEqual({ type: 'TypeError', message: 'Conv2D: options.kernelSize must be an integer or a pair [rows, columns] of integers, got "3"' });
    expect(thrown(() => new Conv2D({ filters: 3, kernelSize: 3, groups: 2 })).message).toBe('Conv2D: options.filters 3 is not divisible by options.groups 2');
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: 3, padding: 'causal' as 'same' })).message).toBe('Conv2D: options.padding must be one of \'valid\', \'same\', got "causal"');
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: 3, inputSize: 2 } as never)).message).toMatch(/^Conv2D: unknown option 'inputSize'/);
    expect(thrown(() => new Conv2D({ filters: 1, kernelSize: 3 }).getWeights()).message)
      .toBe('Conv2D.getWeights: this layer has no weights yet: give options.inputChannels, or use it in a Sequential');
    expect(thrown(() => new Sequential({ inputShape: [4, 4, 2], layers: [new Conv2D({ filters: 2, kernelSize: 3 }), new Conv1D({ filters: 1, kernelSize: 1 })] })).message)
      .toBe('Sequential: layers[1]: Conv1D needs sequences of feature vectors as input, but gets one vector per sequence (set returnSequences: true on the layer below)');
  });
});

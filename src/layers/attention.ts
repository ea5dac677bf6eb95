// Attention: Keras's dot-product Attention layer (Luong's "dot" score) as a standalone op, for uses
// outside the encoder–decoder: for each query step, a softmax over the value steps of
// scale·query·keyᵀ (steps where valueMask is 0 get weight 0), and the weighted sum of the values.
// Call convention as Keras: forward(query [B, Tq, D], value [B, Tv, Dv], { key [B, Tv, D] = value,
// valueMask [B, Tv] }). No trainable weights (Keras's use_scale: false); `scale` is fixed
// (default 1; 1/√D is the "scaled dot-product" of Vaswani et al.). Arithmetic in WASM
// (assembly/attention.ts); this file validates, copies and owns the buffers.
import type { Backend } from '../engine/backend.js';
import { checkFinite, checkOptions } from '../errors.js';
import { attentionBackwardF32, attentionForwardF32 } from '../kernels/attention.js';
import { AttentionOp, type AttentionBackwardBuffers, type AttentionBuffers, type AttentionDims } from './attention-op.js';

export type { AttentionCache, AttentionForwardResult, AttentionGradients } from './attention-op.js';

export interface AttentionOptions {
  /** Multiplies the scores (default 1). */
  scale?: number;
  backend?: Backend;
}

export class Attention extends AttentionOp {
  readonly scale: number;

  constructor(options: AttentionOptions = {}) {
    checkOptions('Attention', options, ['scale', 'backend']);
    const scale = options.scale === undefined ? 1 : checkFinite('Attention', 'options.scale', options.scale);
    super('Attention', options.backend);
    this.scale = scale;
  }

  protected runForward(buffers: AttentionBuffers, { B, Tq, Tv, D, Dv }: AttentionDims): void {
    attentionForwardF32(this.backend, {
      context: buffers.context.ptr, weights: buffers.weights.ptr, query: buffers.query.ptr, key: buffers.key.ptr, value: buffers.value.ptr,
      mask: buffers.mask ? buffers.mask.ptr : 0, work: this.backend.gemmWork(),
    }, B, Tq, Tv, D, Dv, this.scale);
  }

  protected runBackward(buffers: AttentionBuffers, { B, Tq, Tv, D, Dv }: AttentionDims, grads: AttentionBackwardBuffers): object {
    attentionBackwardF32(this.backend, {
      dQuery: grads.dQuery.ptr, dKey: grads.dKey.ptr, dValue: grads.dValue.ptr, dS: grads.alloc(Tq * Tv).ptr, dContext: grads.dContext.ptr,
      weights: buffers.weights.ptr, query: buffers.query.ptr, key: buffers.key.ptr, value: buffers.value.ptr, work: this.backend.gemmWork(),
    }, B, Tq, Tv, D, Dv, this.scale);
    return {};
  }
}

// The ESN's readouts, W_out f64 [O, F] over the features z = [1; u; x], F = 1 + I + N:
//   ridge  W_out = ((XᵀX + λ·diag(0, 1, …, 1)) \ XᵀY)ᵀ from XᵀX and XᵀY accumulated in
//          linear memory (esnCollect); f64 Cholesky, pivoted when λ = 0 (assembly/esn.ts).
//   RLS    recursive least squares with forgetting factor λ, P(0) = I/δ, one update per
//          step inside esnCollect; RlsState holds P and its scratch between calls.
// RidgeSolver is the one ridge solve: fit(), the tests and the benchmark all use it.
import { liveF64, type Backend, type F32Buffer } from '../engine/backend.js';
import { esnRidgeSolve } from '../kernels/esn.js';
import { BufferSet, withBuffers } from './buffers.js';
import { sizeProduct } from '../engine/sizes.js';

export interface RidgeSolution {
  /** W_out [O, F], f64. */
  weights: Float64Array;
  /** Numerical rank of XᵀX + λD (F unless the pivoted path stopped early). */
  rank: number;
  /** Whether the pivoted Cholesky ran (λ = 0, or a non-positive pivot). */
  pivoted: boolean;
}

/** The solve's workspace for F features and O outputs, in linear memory; dispose() frees it. */
export class RidgeSolver {
  readonly #buffers: BufferSet;
  /** W_out f64 [O, F], written by solve(). */
  readonly weights: F32Buffer;
  readonly #work: F32Buffer;
  readonly #tmp: F32Buffer;
  readonly #perm: F32Buffer;

  constructor(readonly backend: Backend, readonly features: number, readonly outputSize: number, where = 'RidgeSolver') {
    this.#buffers = new BufferSet(backend, where);
    const F = `F = 1 + inputSize + units = ${features} features`;
    try {
      this.weights = this.#buffers.f64(sizeProduct(features, outputSize), `the ridge solution [outputSize ${outputSize}, F] for ${F}`);
      this.#work = this.#buffers.f64(sizeProduct(features, features), `the ridge solve's matrix [F, F] for ${F}`);
      this.#tmp = this.#buffers.f64(features, 'the ridge solve\'s scratch');
      this.#perm = this.#buffers.i32(features, 'the ridge solve\'s pivots');
    } catch (error) {
      this.#buffers.dispose();
      throw error;
    }
  }

  /** Solves for W_out from xtx f64 [F, F] (upper triangle read) and xty f64 [F, O], both in linear memory and left unchanged. */
  solve(xtx: F32Buffer, xty: F32Buffer, ridge: number): { rank: number; pivoted: boolean } {
    return esnRidgeSolve(this.backend, this.weights.ptr, this.#work.ptr, this.#tmp.ptr, this.#perm.ptr, xtx.ptr, xty.ptr, {
      features: this.features, outputSize: this.outputSize, ridge,
    });
  }

  dispose(): void {
    this.#buffers.dispose();
  }
}

/** W_out [O, F] from XᵀX [F, F] and XᵀY [F, O] given as arrays (copied into linear memory for the solve). */
export function ridgeSolve(backend: Backend, xtx: ArrayLike<number>, xty: ArrayLike<number>, F: number, O: number, ridge: number): RidgeSolution {
  return withBuffers(backend, (buffers) => {
    const a = buffers.f64(xtx);
    const b = buffers.f64(xty);
    const solver = new RidgeSolver(backend, F, O);
    try {
      const { rank, pivoted } = solver.solve(a, b, ridge);
      return { weights: liveF64(solver.weights).slice(), rank, pivoted };
    } finally {
      solver.dispose();
    }
  });
}

/** RLS state between fitOnline calls: P f64 [F, F] = I/δ at the start, scratch z and P·z f64 [F]. */
export class RlsState {
  readonly #buffers: BufferSet;
  readonly P: F32Buffer;
  readonly z: F32Buffer;
  readonly pz: F32Buffer;

  constructor(backend: Backend, readonly features: number, delta: number, where = 'RlsState') {
    this.#buffers = new BufferSet(backend, where);
    try {
      this.P = this.#buffers.f64(sizeProduct(features, features), `the RLS matrix P [F, F] for F = 1 + inputSize + units = ${features} features`);
      this.z = this.#buffers.f64(features, 'the RLS scratch z');
      this.pz = this.#buffers.f64(features, 'the RLS scratch P·z');
    } catch (error) {
      this.#buffers.dispose();
      throw error;
    }
    const P = liveF64(this.P);
    for (let i = 0; i < features; i++) P[i * features + i] = 1 / delta;
  }

  /** A copy of P, to restore after a failed update. */
  saveP(): Float64Array {
    return liveF64(this.P).slice();
  }

  restoreP(saved: Float64Array): void {
    liveF64(this.P).set(saved);
  }

  dispose(): void {
    this.#buffers.dispose();
  }
}

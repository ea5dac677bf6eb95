// The ESN's readouts, W_out f64 [O, F] over the features z (the parts of [1; u; x; y(n−1)] the
// model's readout.features select, in that order):
//   ridge  W_out = ((XᵀX + λ·D) \ XᵀY)ᵀ, D = diag(0, 1, …, 1) with a bias column (not
//          regularised), else I; from XᵀX and XᵀY accumulated in linear memory (esnCollect);
//          f64 Cholesky, pivoted when λ = 0 — then a *basic* least-squares solution (the
//          dependent features get 0), not the minimum-norm one (assembly/esn.ts).
//   pinv   W_out = (X⁺·Y)ᵀ = ((XᵀX)⁺·XᵀY)ᵀ, the minimum-norm least-squares solution: pivoted
//          Cholesky of XᵀX (rank-revealing, the pivots of column-pivoted QR of X) and an RZ
//          step, i.e. a complete orthogonal decomposition of XᵀX, in f64 in WASM.
//   RLS    recursive least squares with forgetting factor λ, P(0) = I/δ, one update per
//          step inside esnCollect; RlsState holds P and its scratch between calls.
// RidgeSolver is the one batch solve (both methods): fit(), the tests and the benchmark use it.
import { liveF64, type Backend, type F32Buffer } from '../engine/backend.js';
import { esnPinvSolve, esnRidgeSolve } from '../kernels/esn.js';
import { BufferSet, withBuffers } from './buffers.js';
import { sizeProduct } from '../engine/sizes.js';

export type EsnSolver = 'ridge' | 'pinv';

export interface RidgeSolution {
  /** W_out [O, F], f64. */
  weights: Float64Array;
  /** Numerical rank of XᵀX + λD (F unless the pivoted path stopped early). */
  rank: number;
  /** Whether the pivoted Cholesky ran (λ = 0, a non-positive pivot, or 'pinv'). */
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

  constructor(readonly backend: Backend, readonly features: number, readonly outputSize: number, where = 'RidgeSolver', F = `F = ${features} readout features`) {
    this.#buffers = new BufferSet(backend, where);
    try {
      this.weights = this.#buffers.f64(sizeProduct(features, outputSize), `the readout solution [outputSize ${outputSize}, F] for ${F}`);
      this.#work = this.#buffers.f64(sizeProduct(features, features), `the readout solve's matrix [F, F] for ${F}`);
      this.#tmp = this.#buffers.f64(sizeProduct(2, features), 'the readout solve\'s scratch');
      this.#perm = this.#buffers.i32(features, 'the readout solve\'s pivots');
    } catch (error) {
      this.#buffers.dispose();
      throw error;
    }
  }

  /**
   * Ridge: W_out from xtx f64 [F, F] (upper triangle read) and xty f64 [F, O], both in linear memory
   * and left unchanged. biasColumn: the first feature is the constant 1 and is not regularised.
   */
  solve(xtx: F32Buffer, xty: F32Buffer, ridge: number, biasColumn = true): { rank: number; pivoted: boolean } {
    return esnRidgeSolve(this.backend, this.weights.ptr, this.#work.ptr, this.#tmp.ptr, this.#perm.ptr, xtx.ptr, xty.ptr, {
      features: this.features, outputSize: this.outputSize, ridge, biasColumn,
    });
  }

  /** The minimum-norm least-squares W_out ('pinv') from the same xtx and xty. */
  solvePinv(xtx: F32Buffer, xty: F32Buffer): { rank: number; pivoted: boolean } {
    const { rank } = esnPinvSolve(this.backend, this.weights.ptr, this.#work.ptr, this.#tmp.ptr, this.#perm.ptr, xtx.ptr, xty.ptr, {
      features: this.features, outputSize: this.outputSize,
    });
    return { rank, pivoted: true };
  }

  dispose(): void {
    this.#buffers.dispose();
  }
}

/** W_out [O, F] by ridge from XᵀX [F, F] and XᵀY [F, O] given as arrays (copied into linear memory for the solve). */
export function ridgeSolve(backend: Backend, xtx: ArrayLike<number>, xty: ArrayLike<number>, F: number, O: number, ridge: number, biasColumn = true): RidgeSolution {
  return solveWith(backend, xtx, xty, F, O, (solver, a, b) => solver.solve(a, b, ridge, biasColumn));
}

/** The minimum-norm least-squares W_out [O, F] from XᵀX [F, F] and XᵀY [F, O] given as arrays. */
export function pinvSolve(backend: Backend, xtx: ArrayLike<number>, xty: ArrayLike<number>, F: number, O: number): RidgeSolution {
  return solveWith(backend, xtx, xty, F, O, (solver, a, b) => solver.solvePinv(a, b));
}

function solveWith(
  backend: Backend, xtx: ArrayLike<number>, xty: ArrayLike<number>, F: number, O: number,
  run: (solver: RidgeSolver, xtx: F32Buffer, xty: F32Buffer) => { rank: number; pivoted: boolean },
): RidgeSolution {
  return withBuffers(backend, (buffers) => {
    const a = buffers.f64(xtx);
    const b = buffers.f64(xty);
    const solver = new RidgeSolver(backend, F, O);
    try {
      const { rank, pivoted } = run(solver, a, b);
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

  constructor(backend: Backend, readonly features: number, delta: number, where = 'RlsState', F = `F = ${features} readout features`) {
    this.#buffers = new BufferSet(backend, where);
    try {
      this.P = this.#buffers.f64(sizeProduct(features, features), `the RLS matrix P [F, F] for ${F}`);
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

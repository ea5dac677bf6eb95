// Comparisons that report the worst element and its index when they fail.

export function expectWithinBound(
  label: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  bound: ArrayLike<number> | number,
): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  let worst = -1;
  let worstRatio = 0;
  for (let i = 0; i < want.length; i++) {
    const b = typeof bound === 'number' ? bound : bound[i];
    const diff = Math.abs(got[i] - want[i]);
    const ratio = diff / b;
    if (!(diff <= b) && (worst < 0 || !(ratio <= worstRatio))) {
      worst = i;
      worstRatio = ratio;
    }
  }
  if (worst >= 0) {
    const b = typeof bound === 'number' ? bound : bound[worst];
    throw new Error(
      `${label}: element ${worst} is ${got[worst]}, expected ${want[worst]} ± ${b} (error ${Math.abs(got[worst] - want[worst])}, ${worstRatio.toFixed(2)}× the bound)`,
    );
  }
}

/** Bitwise equality of two f32 arrays (NaN payloads compared as NaN). */
export function expectSameBits(label: string, got: Float32Array, want: Float32Array): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length);
  const w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i] && !(Number.isNaN(got[i]) && Number.isNaN(want[i]))) {
      throw new Error(`${label}: element ${i} differs: ${got[i]} (0x${g[i].toString(16)}) vs ${want[i]} (0x${w[i].toString(16)})`);
    }
  }
}

/**
 * Against another library's f32 numbers: the worst |got − want| within `relative` of the array's
 * scale (max |want|), plus 1e-7 for arrays of zeros; failures name the worst element.
 */
export function expectCloseToScale(label: string, got: Float32Array, want: Float32Array, relative = 2e-5): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  let at = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    if (d > worst) [worst, at] = [d, i];
  }
  if (!(worst <= relative * scale + 1e-7)) {
    throw new Error(`${label}: worst difference ${worst} at ${at} (ours ${got[at]}, theirs ${want[at]}), scale ${scale}, allowed ${relative * scale + 1e-7}`);
  }
}

/** The class name and full message of what `fn` throws (fails when it does not throw). */
export function thrown(fn: () => unknown): { type: string; message: string } {
  try {
    fn();
  } catch (error) {
    return { type: (error as Error).constructor.name, message: (error as Error).message };
  }
  throw new Error('expected a throw');
}

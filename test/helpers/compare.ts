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

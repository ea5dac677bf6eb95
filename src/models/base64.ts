// Float32Array ⇄ base64 of its little-endian bytes, with btoa/atob (Node ≥ 16 and browsers).
const CHUNK = 0x8000;

export function floatsToBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** Decodes `text`; null if it is not base64 of exactly `count` floats. */
export function base64ToFloats(text: unknown, count: number): Float32Array | null {
  if (typeof text !== 'string') return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  if (binary.length !== count * 4) return null;
  const bytes = new Uint8Array(count * 4);
  for (let i = 0; i < bytes.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

import os from 'node:os';

const isHostLittleEndian = os.endianness() === 'LE';

/** Throws unless `vector` has `dimension` finite numbers (what every store accepts). */
export function assertVector(vector: readonly number[], dimension: number, what: string): void {
  if (!Array.isArray(vector) || vector.length !== dimension) {
    throw new Error(`${what}: expected a vector of ${dimension} numbers, got ${Array.isArray(vector) ? vector.length : typeof vector}`);
  }
  for (let i = 0; i < vector.length; i++) {
    if (typeof vector[i] !== 'number' || !Number.isFinite(vector[i])) throw new Error(`${what}: element ${i} is not a finite number`);
  }
}

/** The vector as stored in vector_points.vector: little-endian float32, 4 bytes per element. */
export function toFloat32Bytes(vector: readonly number[]): Buffer {
  const bytes = Buffer.alloc(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i], i * 4);
  return bytes;
}

/** Copies stored little-endian float32 bytes into `target` at element `offset` (no alignment needed). */
export function copyFloat32Bytes(bytes: Uint8Array, target: Float32Array, offset: number): void {
  if (isHostLittleEndian) {
    new Uint8Array(target.buffer, target.byteOffset + offset * 4, bytes.byteLength).set(bytes);
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.byteLength / 4; i++) target[offset + i] = view.getFloat32(i * 4, true);
}

/** A unit-length float64 copy of `vector`; a zero vector stays zero (it then scores 0 against everything). */
export function normalised(vector: readonly number[]): Float64Array {
  const result = Float64Array.from(vector);
  let norm = 0;
  for (const value of result) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < result.length; i++) result[i] /= norm;
  return result;
}

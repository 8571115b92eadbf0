'use strict';
// IEEE binary16 <-> JavaScript number, round to nearest even (the rules the
// server and the C++ client use). float16 tensors hold raw bits in a
// Uint16Array; these convert for callers who want numbers.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The number a binary16 bit pattern stands for. */
function float16BitsToNumber(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;  // zero or subnormal
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The binary16 bits nearest `value` (ties to even; overflow gives infinity;
 * NaN keeps a quiet NaN). Goes through float32 first, as the C++ client's
 * FloatToHalf does, so both clients encode a number identically.
 */
function numberToFloat16Bits(value) {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;  // below half the smallest subnormal
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && (half & 1))) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half += 1;  // may carry into e
  return sign | half;
}

module.exports = { float16BitsToNumber, numberToFloat16Bits };

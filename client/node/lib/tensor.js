'use strict';
// Tensor: a dense tensor in client memory — dtype, shape and a TypedArray of
// the exact element type (see dtypes.js) — and its wire form, remotek.v1.Tensor:
// dtype + shape + raw little-endian row-major bytes.
//
//   const x = Tensor.from([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
//   x.shape;          // [2, 3]
//   x.data;           // Float32Array [1, 2, 3, 4, 5, 6]
//   const k = new Tensor('int64', [2], new BigInt64Array([1n, -2n]));
//
// Encoding and decoding copy the bytes once and never convert element by
// element (except on a big-endian host, which swaps bytes).

const os = require('node:os');

const { RemoteKError, Status } = require('./errors');
const {
  DTYPES, arrayTypeOf, checkDType, defaultDTypeOfArray, dtypeOfWire, wireDType,
} = require('./dtypes');
const { float16BitsToNumber, numberToFloat16Bits } = require('./float16');

const LITTLE_ENDIAN_HOST = os.endianness() === 'LE';

const INTEGER_RANGES = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

function invalid(message) {
  return new RemoteKError(Status.INVALID_ARGUMENT, message);
}

/** Throws INVALID_ARGUMENT unless `shape` is an array of integers >= 0 (or -1 if allowed). */
function checkShape(shape, field = 'shape', { allowUnknown = false } = {}) {
  if (!Array.isArray(shape)) {
    throw invalid(`${field}=${JSON.stringify(shape)} is not an array of dims`);
  }
  shape.forEach((d, i) => {
    const unknown = allowUnknown && (d === null || d === -1);
    if (!unknown && !(Number.isSafeInteger(d) && d >= 0)) {
      throw invalid(`${field}[${i}]=${JSON.stringify(d)} is not a dim >= 0` +
        (allowUnknown ? ' or null (unknown)' : ''));
    }
  });
  return shape;
}

function numElements(shape) {
  return shape.reduce((n, d) => n * d, 1);
}

function isTypedArray(x) {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** The dims of a nested array, checking that it is not ragged. */
function nestedShape(values, field) {
  const shape = [];
  let level = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const check = (x, depth, path) => {
    if (depth === shape.length) {
      if (Array.isArray(x)) throw invalid(`${field}${path} is nested deeper than its siblings`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw invalid(`${field}${path} has ${Array.isArray(x) ? x.length : 'no'} elements; ` +
        `expected ${shape[depth]} (ragged arrays are not tensors)`);
    }
    x.forEach((y, i) => check(y, depth + 1, `${path}[${i}]`));
  };
  check(values, 0, '');
  return shape;
}

/** One JavaScript element -> what the dtype's TypedArray stores; strict. */
function element(dtype, x, where) {
  const bad = (why) => invalid(`${where}=${typeof x === 'bigint' ? `${x}n` : JSON.stringify(x)} ${why}`);
  switch (dtype) {
    case 'float16':
    case 'float32':
    case 'float64': {
      const n = typeof x === 'bigint' ? Number(x) : x;
      if (typeof n !== 'number') throw bad(`is not a number (dtype ${dtype})`);
      return dtype === 'float16' ? numberToFloat16Bits(n) : n;
    }
    case 'bool':
      if (x === true || x === 1) return 1;
      if (x === false || x === 0) return 0;
      throw bad('is not a bool (true/false/0/1)');
    case 'int64': {
      let n = x;
      if (typeof n === 'number') {
        if (!Number.isSafeInteger(n)) throw bad('is not a safe integer (use a BigInt for int64)');
        n = BigInt(n);
      }
      if (typeof n !== 'bigint') throw bad('is not an integer (dtype int64)');
      const [lo, hi] = INTEGER_RANGES.int64;
      if (n < lo || n > hi) throw bad('is out of range for int64');
      return n;
    }
    default: {
      const n = typeof x === 'bigint' ? Number(x) : x;
      if (!Number.isInteger(n)) throw bad(`is not an integer (dtype ${dtype})`);
      const [lo, hi] = INTEGER_RANGES[dtype];
      if (n < lo || n > hi) throw bad(`is out of range for ${dtype} [${lo}, ${hi}]`);
      return n;
    }
  }
}

function convertElements(dtype, flat, field) {
  const out = new (arrayTypeOf(dtype))(flat.length);
  for (let i = 0; i < flat.length; ++i) out[i] = element(dtype, flat[i], `${field}[${i}]`);
  return out;
}

class Tensor {
  /**
   * @param {string} dtype  a Keras dtype name ("float32", "int64", "bool", ...)
   * @param {number[]} shape dims >= 0 ([] for a scalar)
   * @param {TypedArray} data exactly the dtype's array type (see dtypes.js),
   *   product(shape) elements, row-major. Held, not copied.
   */
  constructor(dtype, shape, data) {
    checkDType(dtype);
    checkShape(shape);
    const ArrayType = arrayTypeOf(dtype);
    if (!(data instanceof ArrayType)) {
      throw invalid(`data of a ${dtype} tensor must be a ${ArrayType.name}, ` +
        `not ${data === null || data === undefined ? data : data.constructor.name}`);
    }
    if (data.length !== numElements(shape)) {
      throw invalid(`data has ${data.length} elements; shape [${shape}] needs ${numElements(shape)}`);
    }
    this.dtype = dtype;
    this.shape = shape.slice();
    this.data = data;
  }

  /**
   * A tensor from a TypedArray, a (nested) array, a scalar or another Tensor.
   * `dtype` defaults to the TypedArray's own type, else to float32; values
   * are converted strictly (an integer dtype refuses 1.5, a bool refuses 2).
   * `shape` defaults to the nested array's dims ([] for a scalar); with flat
   * data it must hold exactly as many elements.
   */
  static from(values, { dtype, shape } = {}) {
    if (values instanceof Tensor) {
      if (dtype !== undefined && dtype !== values.dtype) {
        throw invalid(`a ${values.dtype} tensor given where dtype ${dtype} is needed ` +
          '(build it with that dtype)');
      }
      // With a shape: the same data, reshaped (the constructor checks the count).
      return shape === undefined ? values : new Tensor(values.dtype, shape, values.data);
    }
    let data;
    let inferred;
    if (isTypedArray(values)) {
      const own = defaultDTypeOfArray(values);
      const wanted = dtype === undefined ? own : checkDType(dtype);
      if (wanted === undefined) {
        throw invalid(`a ${values.constructor.name} needs an explicit dtype ` +
          '(float16 bits: dtype "float16")');
      }
      data = values instanceof arrayTypeOf(wanted) ? values
        : convertElements(wanted, Array.from(values), 'values');
      dtype = wanted;
      inferred = [values.length];
    } else {
      dtype = dtype === undefined ? 'float32' : checkDType(dtype);
      if (Array.isArray(values)) {
        inferred = nestedShape(values, 'values');
        data = convertElements(dtype, values.flat(Infinity), 'values');
      } else {
        inferred = [];
        data = convertElements(dtype, [values], 'values');
      }
    }
    if (shape === undefined) shape = inferred;
    return new Tensor(dtype, checkShape(shape), data);
  }

  /** All zeros (0, 0.0, false) of `dtype` and `shape`. */
  static zeros(dtype, shape) {
    checkShape(shape);
    return new Tensor(dtype, shape, new (arrayTypeOf(dtype))(numElements(shape)));
  }

  static scalar(value, dtype = 'float32') {
    return Tensor.from(value, { dtype, shape: [] });
  }

  get size() { return this.data.length; }
  get rank() { return this.shape.length; }

  /** Element `i` (row-major) as JavaScript sees it (see toArray). */
  at(i) {
    const x = this.data[i];
    if (this.dtype === 'float16') return float16BitsToNumber(x);
    if (this.dtype === 'bool') return x !== 0;
    return x;
  }

  /** The elements flat, row-major: numbers; BigInt for int64; booleans for bool;
   *  float16 decoded to numbers. */
  values() {
    return Array.from({ length: this.size }, (_, i) => this.at(i));
  }

  /** Nested arrays of the shape (a bare element for a scalar). */
  toArray() {
    const flat = this.values();
    if (this.rank === 0) return flat[0];
    let offset = 0;
    const build = (depth) => {
      const out = new Array(this.shape[depth]);
      for (let i = 0; i < out.length; ++i) {
        out[i] = depth + 1 === this.rank ? flat[offset++] : build(depth + 1);
      }
      return out;
    };
    return build(0);
  }

  /** The raw little-endian bytes as on the wire (a view on little-endian hosts). */
  bytes() {
    const view = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    if (LITTLE_ENDIAN_HOST || this.data.BYTES_PER_ELEMENT === 1) return view;
    const swapped = Buffer.from(view);  // a copy: never swap the caller's data
    swapBytes(swapped, this.data.BYTES_PER_ELEMENT);
    return swapped;
  }

  toString() {
    return `Tensor(${this.dtype}[${this.shape.join(',')}])`;
  }
}

function swapBytes(buffer, width) {
  if (width === 2) buffer.swap16();
  else if (width === 4) buffer.swap32();
  else if (width === 8) buffer.swap64();
}

/** Tensor -> the plain object proto-loader encodes as remotek.v1.Tensor. */
function encodeTensor(tensor) {
  return { dtype: wireDType(tensor.dtype), shape: tensor.shape, content: tensor.bytes() };
}

/** A decoded remotek.v1.Tensor (plain object) -> Tensor, copying the bytes once
 *  into a fresh, aligned buffer. DATA_LOSS if the byte count does not fit. */
function decodeTensor(message) {
  const dtype = dtypeOfWire(message.dtype);
  const shape = (message.shape || []).map(Number);
  const content = message.content || Buffer.alloc(0);
  const count = numElements(shape);
  const width = DTYPES[dtype].size;
  if (content.length !== count * width) {
    throw new RemoteKError(Status.DATA_LOSS, `the server sent ${content.length} bytes ` +
      `for a ${dtype} tensor of shape [${shape}] (${count * width} expected)`);
  }
  const data = new (arrayTypeOf(dtype))(count);
  const bytes = new Uint8Array(data.buffer);
  bytes.set(content);
  if (!LITTLE_ENDIAN_HOST && width > 1) swapBytes(Buffer.from(data.buffer), width);
  return new Tensor(dtype, shape, data);
}

module.exports = { Tensor, checkShape, decodeTensor, encodeTensor, numElements };

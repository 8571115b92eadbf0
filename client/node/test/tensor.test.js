'use strict';
// Tensor <-> remotek.v1.Tensor without a server: the exact dtype mapping, the
// raw little-endian layout, float16 bits, and precise errors for bad values.

const assert = require('node:assert/strict');
const { describe, it } = require('node:test');

const { Tensor, RemoteKError, Status, float16BitsToNumber, numberToFloat16Bits } = require('..');
const { decodeTensor, encodeTensor } = require('../lib/tensor');

const ARRAY_TYPES = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

function assertInvalid(fn, messagePart) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof RemoteKError, `not a RemoteKError: ${error}`);
    assert.equal(error.code, Status.INVALID_ARGUMENT);
    assert.equal(error.codeName, 'INVALID_ARGUMENT');
    assert.ok(error.details.includes(messagePart), `"${error.details}" lacks "${messagePart}"`);
    return true;
  });
}

describe('Tensor dtype mapping', () => {
  for (const [dtype, ArrayType] of Object.entries(ARRAY_TYPES)) {
    it(`${dtype} holds a ${ArrayType.name}`, () => {
      const t = Tensor.zeros(dtype, [2, 3]);
      assert.equal(t.dtype, dtype);
      assert.ok(t.data instanceof ArrayType);
      assert.equal(t.size, 6);
      assert.equal(encodeTensor(t).content.length, 6 * ArrayType.BYTES_PER_ELEMENT);
    });
  }

  it('infers the dtype of a TypedArray and float32 for plain numbers', () => {
    assert.equal(Tensor.from(new Int16Array(3)).dtype, 'int16');
    assert.equal(Tensor.from(new BigInt64Array(3)).dtype, 'int64');
    assert.equal(Tensor.from([[1, 2]]).dtype, 'float32');
    assert.deepEqual(Tensor.from([[1, 2], [3, 4], [5, 6]]).shape, [3, 2]);
    assert.deepEqual(Tensor.from(7).shape, []);
  });
});

describe('Tensor wire bytes', () => {
  it('lays out float32 little-endian, row-major', () => {
    const wire = encodeTensor(Tensor.from([[1, -2]], { dtype: 'float32' }));
    assert.equal(wire.dtype, 'FLOAT32');
    assert.deepEqual(wire.shape, [1, 2]);
    assert.equal(wire.content.toString('hex'), '0000803f000000c0');
  });

  it('lays out int64 little-endian two\'s complement', () => {
    const wire = encodeTensor(Tensor.from([-2n, 258n], { dtype: 'int64' }));
    assert.equal(wire.content.toString('hex'), 'feffffffffffffff0201000000000000');
  });

  it('encodes bool as one byte 0 or 1', () => {
    const wire = encodeTensor(Tensor.from([true, false, 1], { dtype: 'bool' }));
    assert.equal(wire.content.toString('hex'), '010001');
  });

  it('round-trips every dtype through decode, from an unaligned buffer', () => {
    const samples = {
      float16: [0x3c00, 0xc000, 0x7bff], float32: [1.5, -0.25, 3e38], float64: [Math.PI, -1e-300, 0],
      int8: [-128, 0, 127], int16: [-32768, 1, 32767], int32: [-2147483648, 7, 2147483647],
      int64: [-(2n ** 63n), 0n, 2n ** 63n - 1n], uint8: [0, 128, 255], bool: [1, 0, 1],
    };
    for (const [dtype, values] of Object.entries(samples)) {
      const t = new Tensor(dtype, [3], ARRAY_TYPES[dtype].from(values));
      const wire = encodeTensor(t);
      // A Buffer at an odd offset, as gRPC may hand one over.
      const padded = Buffer.alloc(wire.content.length + 1);
      wire.content.copy(padded, 1);
      const back = decodeTensor({ dtype: wire.dtype, shape: [3], content: padded.subarray(1) });
      assert.equal(back.dtype, dtype);
      assert.deepEqual(back.shape, [3]);
      assert.deepEqual(Array.from(back.data), Array.from(t.data), dtype);
    }
  });

  it('decodes a scalar (no shape on the wire)', () => {
    const back = decodeTensor({ dtype: 'FLOAT64', shape: [], content: Buffer.from('000000000000f03f', 'hex') });
    assert.deepEqual(back.shape, []);
    assert.equal(back.toArray(), 1);
  });

  it('refuses a byte count that does not fit the shape with DATA_LOSS', () => {
    assert.throws(() => decodeTensor({ dtype: 'INT32', shape: [2], content: Buffer.alloc(7) }),
      (e) => e.code === Status.DATA_LOSS && e.details.includes('7 bytes'));
  });

  it('gives nested arrays back, decoding float16 and bool', () => {
    assert.deepEqual(new Tensor('float16', [2, 1], Uint16Array.from([0x3c00, 0xc400])).toArray(), [[1], [-4]]);
    assert.deepEqual(Tensor.from([[true], [false]], { dtype: 'bool' }).toArray(), [[true], [false]]);
  });
});

describe('float16 bits', () => {
  it('encodes with round to nearest even, overflow and subnormals', () => {
    assert.equal(numberToFloat16Bits(1), 0x3c00);
    assert.equal(numberToFloat16Bits(-2), 0xc000);
    assert.equal(numberToFloat16Bits(65504), 0x7bff);
    assert.equal(numberToFloat16Bits(65520), 0x7c00);   // rounds up to infinity
    assert.equal(numberToFloat16Bits(2 ** -24), 0x0001);  // smallest subnormal
    assert.equal(numberToFloat16Bits(1 + 2 ** -11), 0x3c00);  // tie -> even
    assert.equal(numberToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);  // tie -> even (up)
    assert.equal(numberToFloat16Bits(-0), 0x8000);
    assert.ok(Number.isNaN(float16BitsToNumber(numberToFloat16Bits(NaN))));
    for (const bits of [0x0001, 0x03ff, 0x0400, 0x3555, 0x7bff, 0xfbff]) {
      assert.equal(numberToFloat16Bits(float16BitsToNumber(bits)), bits);
    }
  });
});

describe('Tensor errors', () => {
  it('names the element that does not fit an integer dtype', () => {
    assertInvalid(() => Tensor.from([1, 2.5], { dtype: 'int32' }), 'values[1]=2.5 is not an integer');
    assertInvalid(() => Tensor.from([300], { dtype: 'uint8' }), 'values[0]=300 is out of range for uint8');
    assertInvalid(() => Tensor.from([2], { dtype: 'bool' }), 'values[0]=2 is not a bool');
    assertInvalid(() => Tensor.from([2 ** 60], { dtype: 'int64' }), 'is not a safe integer');
  });

  it('names a bad dtype, shape, data type and size', () => {
    assertInvalid(() => Tensor.zeros('float8', [1]), 'dtype="float8" is not a dtype');
    assertInvalid(() => Tensor.zeros('float32', [2, -1]), 'shape[1]=-1 is not a dim >= 0');
    assertInvalid(() => new Tensor('float32', [2], new Float64Array(2)), 'must be a Float32Array, not Float64Array');
    assertInvalid(() => new Tensor('int32', [2, 2], new Int32Array(3)), 'data has 3 elements; shape [2,2] needs 4');
    assertInvalid(() => Tensor.from([[1, 2], [3]]), 'values[1] has 1 elements; expected 2');
    assertInvalid(() => Tensor.from(new Uint16Array(2)), 'needs an explicit dtype');
  });
});

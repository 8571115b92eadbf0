'use strict';
// Element types: Keras names, wire enum names (remotek.v1.DType) and the exact
// TypedArray that holds each one in JavaScript.
//
// float16 has no JavaScript array type: it is held as the raw IEEE binary16
// bits in a Uint16Array (see float16.js to convert). bool is one byte per
// element, 0 or 1, in a Uint8Array.

const { RemoteKError, Status } = require('./errors');

// Keras name -> { wire enum name, array type, bytes per element }.
const DTYPES = Object.freeze({
  float16: { wire: 'FLOAT16', ArrayType: Uint16Array, size: 2 },
  float32: { wire: 'FLOAT32', ArrayType: Float32Array, size: 4 },
  float64: { wire: 'FLOAT64', ArrayType: Float64Array, size: 8 },
  int8: { wire: 'INT8', ArrayType: Int8Array, size: 1 },
  int16: { wire: 'INT16', ArrayType: Int16Array, size: 2 },
  int32: { wire: 'INT32', ArrayType: Int32Array, size: 4 },
  int64: { wire: 'INT64', ArrayType: BigInt64Array, size: 8 },
  uint8: { wire: 'UINT8', ArrayType: Uint8Array, size: 1 },
  bool: { wire: 'BOOL', ArrayType: Uint8Array, size: 1 },
});

const DTYPE_NAMES = Object.freeze(Object.keys(DTYPES));

const WIRE_TO_NAME = Object.freeze(
  Object.fromEntries(DTYPE_NAMES.map((name) => [DTYPES[name].wire, name])));

// The dtype a TypedArray holds when the caller names none. Uint16Array is
// left out on purpose: it could be float16 bits or nothing we support.
const DEFAULT_DTYPE_OF_ARRAY = new Map([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [Int8Array, 'int8'],
  [Int16Array, 'int16'],
  [Int32Array, 'int32'],
  [BigInt64Array, 'int64'],
  [Uint8Array, 'uint8'],
]);

/** Throws INVALID_ARGUMENT naming `field` unless `name` is a supported dtype. */
function checkDType(name, field = 'dtype') {
  if (typeof name !== 'string' || !Object.hasOwn(DTYPES, name)) {
    throw new RemoteKError(Status.INVALID_ARGUMENT,
      `${field}=${JSON.stringify(name)} is not a dtype; supported: ${DTYPE_NAMES.join(', ')}`);
  }
  return name;
}

/** The wire enum name of a Keras dtype name; undefined/null -> DTYPE_UNSPECIFIED. */
function wireDType(name, field = 'dtype') {
  if (name === undefined || name === null) return 'DTYPE_UNSPECIFIED';
  return DTYPES[checkDType(name, field)].wire;
}

/** The Keras name of a wire enum value (name or number as proto-loader gives it). */
function dtypeOfWire(wire) {
  const name = WIRE_TO_NAME[wire];
  if (name === undefined) {
    throw new RemoteKError(Status.DATA_LOSS, `the server sent unknown dtype ${wire}`);
  }
  return name;
}

function arrayTypeOf(name) {
  return DTYPES[checkDType(name)].ArrayType;
}

function sizeOf(name) {
  return DTYPES[checkDType(name)].size;
}

/** The dtype a TypedArray holds by default, or undefined. */
function defaultDTypeOfArray(array) {
  return DEFAULT_DTYPE_OF_ARRAY.get(array.constructor);
}

module.exports = {
  DTYPES,
  DTYPE_NAMES,
  arrayTypeOf,
  checkDType,
  defaultDTypeOfArray,
  dtypeOfWire,
  sizeOf,
  wireDType,
};

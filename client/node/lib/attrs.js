'use strict';
// Op attributes: a plain object with Keras names ({axis: 1, keepdims: true,
// axes: [1, 2], dtype: 'int32'}) -> the map<string, AttrValue> on the wire.
//
// JavaScript has one number type, so an integral number travels as an int;
// the server accepts an int wherever it asks for a float. To force a kind,
// give the AttrValue itself: {alpha: {f: 1}}, {shape: {ints: []}}.
// undefined and null are left out: Keras's None, the op's default.

const { RemoteKError, Status } = require('./errors');

const WIRE_KINDS = new Set(['i', 'f', 'b', 's', 'ints', 'floats']);

function invalid(message) {
  return new RemoteKError(Status.INVALID_ARGUMENT, message);
}

function isWireAttr(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && WIRE_KINDS.has(keys[0]);
}

function listAttr(name, values) {
  const flat = values.flat(Infinity);
  if (flat.every((v) => typeof v === 'bigint' || Number.isSafeInteger(v) || typeof v === 'boolean')) {
    return { ints: { values: flat.map((v) => (typeof v === 'bigint' ? v.toString() : Number(v))) } };
  }
  if (flat.every((v) => typeof v === 'number')) return { floats: { values: flat } };
  throw invalid(`attribute ${name}=${JSON.stringify(values)} is not a list of numbers`);
}

/** One JavaScript value -> a remotek.v1.AttrValue object. */
function attrValue(name, value) {
  if (isWireAttr(value)) {
    const [kind] = Object.keys(value);
    if (kind === 'ints' || kind === 'floats') {
      const values = Array.isArray(value[kind]) ? value[kind] : value[kind].values;
      return { [kind]: { values } };
    }
    return value;
  }
  switch (typeof value) {
    case 'boolean': return { b: value };
    case 'bigint': return { i: value.toString() };
    case 'string': return { s: value };
    case 'number':
      if (Number.isSafeInteger(value)) return { i: value };
      return { f: value };
    default:
      if (Array.isArray(value)) return listAttr(name, value);
      throw invalid(`attribute ${name}=${String(value)} has an unsupported type ${typeof value}`);
  }
}

/** {name: value} -> {name: AttrValue}, leaving out undefined and null. */
function encodeAttrs(attrs = {}) {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) {
    throw invalid(`attrs=${JSON.stringify(attrs)} must be an object of Keras-named attributes`);
  }
  const out = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) out[name] = attrValue(name, value);
  }
  return out;
}

module.exports = { encodeAttrs };

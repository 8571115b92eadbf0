'use strict';
// Keras-named op builders on Session, each one call of the generic
// Session.op(name, inputs, attrs). Arguments follow Keras's order and names:
//
//   K.batch_dot(x, y, [1, 2])     K.dot(x, y)       K.cast(x, 'int32')
//   K.prod(x, 1, true)            K.sum(x)          K.softmax(x, -1)
//
// An axis of null/undefined is Keras's None (all axes). Ops without a builder
// here are reachable through K.op('name', inputs, attrs).

const UNARY = [
  'abs', 'negative', 'square', 'sqrt', 'exp', 'log', 'tanh', 'sigmoid', 'sign',
  'round', 'softplus', 'softsign', 'transpose', 'flatten', 'batch_flatten',
];
const BINARY = [
  'add', 'subtract', 'multiply', 'divide', 'maximum', 'minimum', 'pow',
  'equal', 'not_equal', 'greater', 'greater_equal', 'less', 'less_equal',
  'dot',
];
const REDUCTIONS = ['sum', 'mean', 'prod', 'max', 'min', 'std', 'var', 'any', 'all'];

/** Keras's axis argument: null (all), an int, or a list of ints. */
function axisAttr(axis) {
  return axis === undefined || axis === null ? undefined : axis;
}

const BUILDERS = {
  /** K.batch_dot(x, y, axes): axes null (Keras's default), an int, or [ax, ay]. */
  batch_dot(x, y, axes = null, options) {
    return this.op('batch_dot', [x, y], { axes: axisAttr(axes) }, options);
  },
  /** K.cast(x, dtype): floats to integers truncate toward zero. */
  cast(x, dtype, options) {
    return this.op('cast', [x], { dtype }, options);
  },
  reshape(x, shape, options) {
    return this.op('reshape', [x], { shape: { ints: shape } }, options);
  },
  permute_dimensions(x, pattern, options) {
    return this.op('permute_dimensions', [x], { pattern: { ints: pattern } }, options);
  },
  expand_dims(x, axis = -1, options) {
    return this.op('expand_dims', [x], { axis }, options);
  },
  squeeze(x, axis, options) {
    return this.op('squeeze', [x], { axis }, options);
  },
  concatenate(tensors, axis = -1, options) {
    return this.op('concatenate', tensors, { axis }, options);
  },
  argmax(x, axis = -1, options) {
    return this.op('argmax', [x], { axis }, options);
  },
  argmin(x, axis = -1, options) {
    return this.op('argmin', [x], { axis }, options);
  },
  softmax(x, axis = -1, options) {
    return this.op('softmax', [x], { axis }, options);
  },
  /** K.relu(x, alpha, max_value, threshold); null max_value means none. */
  relu(x, alpha = 0, maxValue = null, threshold = 0, options) {
    const attrs = { alpha: { f: alpha }, threshold: { f: threshold } };
    if (maxValue !== null && maxValue !== undefined) attrs.max_value = { f: maxValue };
    return this.op('relu', [x], attrs, options);
  },
  clip(x, minValue, maxValue, options) {
    return this.op('clip', [x], { min_value: { f: minValue }, max_value: { f: maxValue } },
      options);
  },
};

function addOps(Session) {
  for (const name of UNARY) {
    Session.prototype[name] = function unaryOp(x, options) {
      return this.op(name, [x], {}, options);
    };
  }
  for (const name of BINARY) {
    Session.prototype[name] = function binaryOp(x, y, options) {
      return this.op(name, [x, y], {}, options);
    };
  }
  for (const name of REDUCTIONS) {
    // K.sum(x, axis=None, keepdims=False)
    Session.prototype[name] = function reduceOp(x, axis = null, keepdims = false, options) {
      return this.op(name, [x], { axis: axisAttr(axis), keepdims }, options);
    };
  }
  Object.assign(Session.prototype, BUILDERS);
}

// Every op name a builder above sends, for the test that checks the server runs each.
const BUILDER_OPS = [...UNARY, ...BINARY, ...REDUCTIONS, ...Object.keys(BUILDERS)];

module.exports = { BUILDER_OPS, addOps };

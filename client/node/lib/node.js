'use strict';
// Node: a placeholder, variable, constant or op node a session holds — its
// handle (unique within the session), kind, and the dtype and static shape
// the server inferred (null for an unknown dim, as Keras's None).
//
// A Node belongs to the session generation it was made in: after
// clearSession() the server may reuse its handle for a new node, so the
// session refuses old Nodes (FAILED_PRECONDITION) instead of silently
// addressing the new one.

const { dtypeOfWire } = require('./dtypes');

/** Wire dims (-1 unknown) -> Keras shape (null unknown). */
function shapeOfWire(dims) {
  return (dims || []).map((d) => (Number(d) < 0 ? null : Number(d)));
}

class Node {
  constructor(session, message, generation) {
    this.handle = message.handle;
    this.kind = message.kind;
    this.dtype = dtypeOfWire(message.spec.dtype);
    this.shape = shapeOfWire(message.spec.shape);
    // Not enumerable: keeps console.log / JSON of a Node to its own fields.
    Object.defineProperty(this, 'session', { value: session });
    Object.defineProperty(this, 'generation', { value: generation });
  }

  get name() { return this.handle; }

  toString() {
    const dims = this.shape.map((d) => (d === null ? 'None' : d)).join(', ');
    return `Node(${this.handle}: ${this.kind} ${this.dtype}[${dims}])`;
  }
}

/** {dtype, shape} of a remotek.v1.TensorSpec, in Keras terms. */
function specOfWire(spec) {
  return { dtype: dtypeOfWire(spec.dtype), shape: shapeOfWire(spec.shape) };
}

module.exports = { Node, shapeOfWire, specOfWire };

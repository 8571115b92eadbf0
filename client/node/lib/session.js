'use strict';
// Session: one RemoteK session on a server — the Keras backend API
// (`from keras import backend as K`) with Keras's names for ops, initializers
// and arguments, and Promises for every call.
//
//   const K = await client.createSession({ floatx: 'float32' });
//   const x = await K.placeholder([null, 20, 1], { name: 'x' });
//   const y = await K.random_uniform_variable([32, 30, 20], 0, 1, { seed: 7 });
//   const xy = await K.batch_dot(x, y, [1, 2]);              // (None, 1, 30)
//   const f = await K.function([x], [xy]);
//   const [out] = await f([Tensor.zeros('float32', [32, 20, 1])]);
//   await K.clearSession();
//
// Every call rejects with RemoteKError (gRPC code and the server's message).
// Every session-scoped call carries the `remotek-session-id` metadata header.
// Keras-named op builders (dot, batch_dot, sum, cast, ...) are added by
// session_ops.js.
//
// Thread-safety (JavaScript has one thread, but calls overlap): calls may be
// in flight together; the server serialises graph edits. close() and
// clearSession() make calls still in flight fail.

const { RemoteKError, Status } = require('./errors');
const { wireDType, dtypeOfWire } = require('./dtypes');
const { encodeAttrs } = require('./attrs');
const { Node, specOfWire } = require('./node');
const { unary } = require('./rpc');
const { Tensor, checkShape, decodeTensor, encodeTensor } = require('./tensor');
const { makeFunction } = require('./function');

const HOLDS_VALUE = new Set(['variable', 'constant']);

function invalid(message) {
  return new RemoteKError(Status.INVALID_ARGUMENT, message);
}

/** A seed (number, BigInt or decimal string) -> the uint64 on the wire, as Python's `seed & (2**64-1)`. */
function wireSeed(seed) {
  let value;
  try {
    value = BigInt(seed);
  } catch {
    value = undefined;
  }
  if (value === undefined || (typeof seed === 'number' && !Number.isSafeInteger(seed))) {
    throw invalid(`seed=${String(seed)} is not an integer`);
  }
  return BigInt.asUintN(64, value).toString();
}

/** Session stats with numbers, as the server reports them. */
function statsOf(info) {
  return { ...info.stats };
}

function configOf(config) {
  return { ...config, floatx: dtypeOfWire(config.floatx) };
}

class Session {
  /** Made by Client.createSession; not meant to be constructed directly. */
  constructor(client, info) {
    this.client = client;
    this.id = info.session_id;
    this.config = configOf(info.config);
    this.closed = false;
    this.generation = 0;
  }

  get backend() { return this.config.backend; }
  get floatx() { return this.config.floatx; }
  get epsilon() { return this.config.epsilon; }
  get image_data_format() { return this.config.image_data_format; }

  // ------------------------------------------------------------ plumbing

  /** A session-scoped RPC: refused once closed; always sends the session header. */
  async rpc(method, request) {
    if (this.closed) {
      throw new RemoteKError(Status.FAILED_PRECONDITION, `session ${this.id} is closed`);
    }
    return this.client.rpc(method, { session_id: this.id, ...request }, this.id);
  }

  node(message) {
    return new Node(this, message, this.generation);
  }

  /** The handle of a Node of this session's current generation, or a handle string. */
  handleOf(x, field = 'input') {
    if (typeof x === 'string') return x;
    if (!(x instanceof Node)) {
      throw invalid(`${field} must be a Node or a handle string, not ${describe(x)}`);
    }
    if (x.session !== this) throw invalid(`${field} ${x.handle} belongs to another session`);
    if (x.generation !== this.generation) {
      throw new RemoteKError(Status.FAILED_PRECONDITION,
        `${field} ${x.handle} was made before clearSession()`);
    }
    return x.handle;
  }

  /** An op input: a Node or handle as it is; anything else becomes a constant.
   *  A plain number takes the dtype of the op's first Node where it fits it
   *  (x * 2 keeps x's dtype), else floatx, as a Keras constant does. */
  async inputHandle(x, refDType, field) {
    if (typeof x === 'string' || x instanceof Node) return this.handleOf(x, field);
    let dtype;
    if (!(x instanceof Tensor) && !ArrayBuffer.isView(x)) {
      const integral = typeof x === 'number' ? Number.isInteger(x) : typeof x === 'bigint';
      const isBool = typeof x === 'boolean';
      const refIsFloat = refDType && refDType.startsWith('float');
      const refIsBool = refDType === 'bool';
      if (refDType && ((refIsFloat && !isBool) || (!refIsFloat && !refIsBool && integral) ||
          (refIsBool && isBool))) {
        dtype = refDType;
      } else {
        dtype = isBool ? 'bool' : this.floatx;
      }
    }
    return (await this.constant(x, { dtype })).handle;
  }

  // -------------------------------------------------------------- lifetime

  /** GetSession: {session_id, config, stats}. */
  async info() {
    const info = await this.rpc('GetSession', {});
    return { session_id: info.session_id, config: configOf(info.config), stats: statsOf(info) };
  }

  /** {bytes_held, peak_bytes, nodes, variables, functions, created_unix_ms, last_used_unix_ms}. */
  async stats() {
    return statsOf(await this.rpc('GetSession', {}));
  }

  async keepAlive() {
    await this.rpc('KeepAlive', {});
  }

  /** K.clear_session(): drops graph, variables, functions and name counters;
   *  Nodes and functions made before become invalid. Returns the stats after
   *  (bytes_held 0). */
  async clearSession() {
    const info = await this.rpc('ClearSession', {});
    this.generation += 1;
    return statsOf(info);
  }

  /** Ends the server-side session; idempotent. Later calls: FAILED_PRECONDITION. */
  async close() {
    if (this.closed) return;
    try {
      await this.rpc('CloseSession', {});
    } finally {
      this.closed = true;
    }
  }

  // ----------------------------------------------------------------- graph

  /**
   * K.placeholder: placeholder(shape, {dtype, name}) or placeholder({shape |
   * ndim, dtype, name}). Unknown dims are null (or -1); dtype defaults to floatx.
   */
  async placeholder(shapeOrOptions, options = {}) {
    const opts = Array.isArray(shapeOrOptions) ? { ...options, shape: shapeOrOptions }
      : { ...(shapeOrOptions || {}) };
    const request = { name: opts.name || '', dtype: wireDType(opts.dtype) };
    if (opts.shape !== undefined && opts.shape !== null) {
      checkShape(opts.shape, 'shape', { allowUnknown: true });
      request.shape = { dims: opts.shape.map((d) => (d === null ? -1 : d)) };
    } else if (Number.isInteger(opts.ndim) && opts.ndim >= 0) {
      request.ndim = opts.ndim;
    } else {
      throw invalid(`placeholder needs a shape or an ndim >= 0 (ndim=${String(opts.ndim)})`);
    }
    return this.node(await this.rpc('Placeholder', request));
  }

  /**
   * K.variable(value, dtype, name): `value` is a Tensor (sent as it is; a
   * `dtype` casts it on the server) or anything Tensor.from takes (converted
   * to `dtype`, default floatx).
   */
  async variable(value, { dtype, name, shape } = {}) {
    if (value instanceof Node) {
      throw invalid(`variable() takes a value, not the node ${value.handle} (getValue it first)`);
    }
    const tensor = value instanceof Tensor ? Tensor.from(value, { shape })
      : Tensor.from(value, { dtype: dtype || this.floatx, shape });
    const request = { name: name || '', dtype: wireDType(dtype), value: encodeTensor(tensor) };
    return this.node(await this.rpc('Variable', request));
  }

  /** K.constant(value, dtype, shape, name); a single value with `shape` is broadcast. */
  async constant(value, { dtype, shape, name } = {}) {
    let tensor;
    if (value instanceof Tensor) {
      tensor = Tensor.from(value, { shape });
    } else {
      const wanted = dtype || this.floatx;
      const scalarFill = shape !== undefined && !Array.isArray(value) && !ArrayBuffer.isView(value);
      if (scalarFill) {
        const n = checkShape(shape).reduce((a, d) => a * d, 1);
        tensor = Tensor.from(new Array(n).fill(value), { dtype: wanted, shape });
      } else {
        tensor = Tensor.from(value, { dtype: wanted, shape });
      }
    }
    const request = { name: name || '', dtype: wireDType(dtype), value: encodeTensor(tensor) };
    return this.node(await this.rpc('Constant', request));
  }

  async initialized(kind, shape, params, { dtype, name, seed } = {}) {
    checkShape(shape);
    const initializer = { kind, shape, ...params };
    if (seed !== undefined && seed !== null) {
      initializer.has_seed = true;
      initializer.seed = wireSeed(seed);
    }
    const request = { name: name || '', dtype: wireDType(dtype), initializer };
    return this.node(await this.rpc('Variable', request));
  }

  async zeros(shape, options = {}) {
    return this.initialized('ZEROS', shape, {}, options);
  }

  async ones(shape, options = {}) {
    return this.initialized('ONES', shape, {}, options);
  }

  /** K.eye(size): `size` is n or [n, m]. */
  async eye(size, options = {}) {
    return this.initialized('EYE', Array.isArray(size) ? size : [size, size], {}, options);
  }

  /** K.random_uniform_variable(shape, low, high, dtype, name, seed). A seed gives the
   *  same values on every backend, run and platform (and in every client). */
  async random_uniform_variable(shape, low, high, options = {}) {
    return this.initialized('RANDOM_UNIFORM', shape,
      { low: Number(low), high: Number(high) }, options);
  }

  /** K.random_normal_variable(shape, mean, scale, dtype, name, seed). */
  async random_normal_variable(shape, mean, scale, options = {}) {
    return this.initialized('RANDOM_NORMAL', shape,
      { mean: Number(mean), stddev: Number(scale) }, options);
  }

  async truncated_normal_variable(shape, mean = 0, stddev = 1, options = {}) {
    return this.initialized('TRUNCATED_NORMAL', shape,
      { mean: Number(mean), stddev: Number(stddev) }, options);
  }

  /**
   * Any server op as a graph node: op('batch_dot', [x, y], {axes: [1, 2]}).
   * Inputs are Nodes, handles, or values (which become constants first).
   */
  async op(opName, inputs = [], attrs = {}, { name } = {}) {
    if (typeof opName !== 'string' || opName === '') {
      throw invalid(`op name ${JSON.stringify(opName)} must be a non-empty string`);
    }
    if (!Array.isArray(inputs)) throw invalid(`${opName}: inputs must be an array`);
    const wireAttrs = encodeAttrs(attrs);
    const first = inputs.find((x) => x instanceof Node);
    const handles = [];
    for (let i = 0; i < inputs.length; ++i) {
      handles.push(await this.inputHandle(inputs[i], first && first.dtype, `${opName}: inputs[${i}]`));
    }
    const request = { name: name || '', op: opName, inputs: handles, attrs: wireAttrs };
    return this.node(await this.rpc('OpNode', request));
  }

  // ------------------------------------------------------------- functions

  /**
   * K.function(inputs, outputs, updates): an async callable f(feeds) -> Tensor[]
   * (one per output). `updates` are [variable, newValue] pairs (or
   * {variable, value}) applied after each call.
   */
  async function(inputs, outputs, updates = [], { name } = {}) {
    const single = !Array.isArray(outputs);
    const outputList = single ? [outputs] : outputs;
    const request = {
      name: name || '',
      inputs: (inputs || []).map((x, i) => this.handleOf(x, `inputs[${i}]`)),
      outputs: [],
      updates: [],
    };
    for (let i = 0; i < outputList.length; ++i) {
      request.outputs.push(await this.inputHandle(outputList[i], undefined, `outputs[${i}]`));
    }
    for (let i = 0; i < (updates || []).length; ++i) {
      const update = updates[i];
      const [variable, value] = Array.isArray(update) ? update : [update.variable, update.value];
      const target = this.handleOf(variable, `updates[${i}].variable`);
      const ref = variable instanceof Node ? variable.dtype : undefined;
      request.updates.push({
        variable: target,
        value: await this.inputHandle(value, ref, `updates[${i}].value`),
      });
    }
    const info = await this.rpc('Function', request);
    return makeFunction(this, info.handle, info.inputs.map(specOfWire),
      info.outputs.map(specOfWire), this.generation);
  }

  /** Used by the callables makeFunction returns. */
  async callFunction(fn, feeds) {
    if (fn.generation !== this.generation) {
      throw new RemoteKError(Status.FAILED_PRECONDITION,
        `function ${fn.handle} was made before clearSession()`);
    }
    const list = Array.isArray(feeds) ? feeds : [feeds];
    const encoded = list.map((value, i) => {
      // Feeds that are not Tensors take the placeholder's dtype, as a
      // TensorFlow feed does; a Tensor is sent as it is, for the server to check.
      const spec = fn.inputs[i];
      const tensor = value instanceof Tensor ? value
        : Tensor.from(value, { dtype: spec ? spec.dtype : this.floatx });
      return encodeTensor(tensor);
    });
    const response = await this.rpc('Call', { function: fn.handle, feeds: encoded });
    return response.outputs.map(decodeTensor);
  }

  async releaseFunction(fn) {
    await this.rpc('ReleaseFunction', { function: fn.handle });
  }

  // ---------------------------------------------------------------- values

  /** K.get_value: the value a variable or constant holds, as a Tensor. */
  async getValue(x) {
    return decodeTensor(await this.rpc('GetValue', { handle: this.handleOf(x, 'x') }));
  }

  async batchGetValue(xs) {
    const handles = xs.map((x, i) => this.handleOf(x, `xs[${i}]`));
    const response = await this.rpc('BatchGetValue', { handles });
    return response.values.map(decodeTensor);
  }

  /** K.set_value: a Tensor as it is (the server checks dtype and shape); other
   *  values are converted to the variable's dtype, a flat TypedArray taking
   *  the variable's shape and a nested array keeping its own. */
  async setValue(x, value) {
    const handle = this.handleOf(x, 'x');
    let tensor = value;
    if (!(value instanceof Tensor)) {
      const node = x instanceof Node ? x : undefined;
      const shape = node && ArrayBuffer.isView(value) ? node.shape : undefined;
      tensor = Tensor.from(value, { dtype: node && node.dtype, shape });
    }
    await this.rpc('SetValue', { handle, value: encodeTensor(tensor) });
  }

  /** K.eval: variables and constants by getValue, other nodes by a one-off function. */
  async eval(x) {
    if (x instanceof Node && HOLDS_VALUE.has(x.kind)) return this.getValue(x);
    const fn = await this.function([], [x]);
    try {
      return (await fn([]))[0];
    } finally {
      await fn.release();
    }
  }

  // ----------------------------------------------------------------- eager

  /**
   * Runs one op now: args are Tensors / arrays (sent inline) or Nodes /
   * handles (values the session holds). Returns the result Tensor, or with
   * {keep: true} {value, kept} where `kept` is the Node it was kept as.
   */
  async runOp(opName, args = [], attrs = {}, { keep = false, keepName = '', skipResult = false } = {}) {
    const wireArgs = args.map((x, i) => {
      if (typeof x === 'string' || x instanceof Node) return { handle: this.handleOf(x, `args[${i}]`) };
      return { tensor: encodeTensor(Tensor.from(x)) };
    });
    const request = {
      op: opName, args: wireArgs, attrs: encodeAttrs(attrs),
      keep, keep_name: keepName, skip_result: skipResult,
    };
    const response = await this.rpc('RunOp', request);
    const value = skipResult ? null : decodeTensor(response.result);
    if (!keep) return value;
    return { value, kept: this.node(response.kept) };
  }

  toString() {
    return `Session(${this.id} backend=${this.backend}${this.closed ? ' closed' : ''})`;
  }
}

function describe(x) {
  if (x === null || x === undefined) return String(x);
  return typeof x === 'object' ? x.constructor.name : typeof x;
}

require('./session_ops').addOps(Session);

module.exports = { Session };

'use strict';
// Errors through the Node client against a real remotek-server: each rejects
// with a RemoteKError carrying the gRPC code (number and name) and the
// server's precise message.

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');

const { Client, RemoteKError, Status, Tensor } = require('..');
const { startServer } = require('./support/server');

let server;
let client;
let K;

before(async () => {
  server = await startServer();
  client = new Client(server.address, { timeoutMs: 30000 });
  K = await client.createSession();
});

after(async () => {
  if (!K.closed) await K.close();
  client.close();
  assert.equal(await server.stop(), 0, `server exit; stderr: ${server.stderr()}`);
});

/** Asserts that `promise` rejects with RemoteKError `codeName` and exactly `details`. */
async function rejectsWith(promise, codeName, details) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof RemoteKError, `not a RemoteKError: ${error}`);
    assert.equal(error.codeName, codeName);
    assert.equal(error.code, Status[codeName]);
    if (details instanceof RegExp) assert.match(error.details, details);
    else assert.equal(error.details, details);
    assert.equal(error.message, `${codeName}: ${error.details}`);
    return true;
  });
}

describe('NOT_FOUND', () => {
  it('for an unknown handle', async () => {
    await rejectsWith(K.getValue('no_such_variable'), 'NOT_FOUND', 'unknown handle "no_such_variable"');
  });

  it('for an unknown op input, naming the op and the input', async () => {
    const x = await K.placeholder([2]);
    await rejectsWith(K.add('missing', x), 'NOT_FOUND', 'add: inputs[0]: unknown handle "missing"');
  });

  it('for an unknown op, session and backend', async () => {
    await rejectsWith(K.op('frobnicate', []), 'NOT_FOUND', 'unknown op "frobnicate"');
    await rejectsWith(client.rpc('GetSession', { session_id: 'deadbeef' }, 'deadbeef'),
      'NOT_FOUND', 'unknown session "deadbeef"');
    await rejectsWith(client.createSession({ backend: 'tpu' }), 'NOT_FOUND',
      /^unknown backend "tpu"; this server hosts: eigen, (.+, )?reference/);
  });
});

describe('INVALID_ARGUMENT', () => {
  it('for batch_dot axes out of range', async () => {
    const x = await K.placeholder([null, 3, 1]);
    const y = await K.zeros([2, 4, 3]);
    await rejectsWith(K.batch_dot(x, y, [1, 3]), 'INVALID_ARGUMENT',
      'batch_dot: axes[1]=3 is out of range for y of rank 3');
  });

  it('for shapes that do not contract in dot', async () => {
    const a = await K.zeros([2, 3]);
    await rejectsWith(K.dot(a, a), 'INVALID_ARGUMENT',
      'dot: cannot contract x of shape (2, 3) and y of shape (2, 3): x.shape[-1]=3 != y.shape[-2]=2');
  });

  it('for a feed of the wrong shape', async () => {
    const x = await K.placeholder([null, 3], { name: 'feed_x' });
    const f = await K.function([x], [await K.square(x)], [], { name: 'sq' });
    await rejectsWith(f([Tensor.zeros('float32', [2, 4])]), 'INVALID_ARGUMENT',
      'function "sq": feed 0 for placeholder "feed_x" is float32(2, 4), expected float32(None, 3)');
  });

  it('for set_value of the wrong shape', async () => {
    const v = await K.ones([2, 2], { name: 'v22' });
    await rejectsWith(K.setValue(v, Tensor.zeros('float32', [3])), 'INVALID_ARGUMENT',
      'set_value: value shape (3,) does not match variable "v22" of shape (2, 2)');
  });

  it('for a cast to an unknown dtype', async () => {
    const v = await K.ones([1]);
    await rejectsWith(K.cast(v, 'float8'), 'INVALID_ARGUMENT', /^cast: dtype "float8" is not one of float16/);
  });

  it('from the client for values it cannot encode, before any call', async () => {
    await rejectsWith(K.variable([1, 2.5], { dtype: 'int32' }), 'INVALID_ARGUMENT',
      'values[1]=2.5 is not an integer (dtype int32)');
    await rejectsWith(K.placeholder([2, -3]), 'INVALID_ARGUMENT',
      'shape[1]=-3 is not a dim >= 0 or null (unknown)');
    await rejectsWith(K.random_uniform_variable([2], 0, 1, { seed: 1.5 }), 'INVALID_ARGUMENT',
      'seed=1.5 is not an integer');
  });
});

describe('FAILED_PRECONDITION', () => {
  it('for evaluating an op node eagerly', async () => {
    const v = await K.ones([2]);
    const s = await K.add(v, v);
    await rejectsWith(K.runOp('negative', [s]), 'FAILED_PRECONDITION',
      new RegExp(`^negative: inputs\\[0\\]: "${s.handle}" is an op node and holds no value`));
  });

  it('for calls on a closed session', async () => {
    const other = await client.createSession();
    const v = await other.ones([1]);
    await other.close();
    await other.close();  // idempotent
    await rejectsWith(other.getValue(v), 'FAILED_PRECONDITION', `session ${other.id} is closed`);
    // The server forgot it too.
    await rejectsWith(client.rpc('GetSession', { session_id: other.id }, other.id),
      'NOT_FOUND', `unknown session "${other.id}"`);
  });
});

describe('UNAVAILABLE', () => {
  it('when no server listens', async () => {
    const nowhere = new Client('127.0.0.1:1', { timeoutMs: 3000 });
    try {
      await assert.rejects(nowhere.serverInfo(), (e) => e instanceof RemoteKError &&
        (e.codeName === 'UNAVAILABLE' || e.codeName === 'DEADLINE_EXCEEDED'));
    } finally {
      nowhere.close();
    }
  });
});

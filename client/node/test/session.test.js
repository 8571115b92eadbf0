'use strict';
// The Node client against a real remotek-server (started on 127.0.0.1:0):
// server calls, graph building with inferred shapes, functions with updates,
// values of every kind of node, eager ops, clearSession, and the session
// metadata header.

const assert = require('node:assert/strict');
const { after, before, describe, it } = require('node:test');

const { Client, Node, SESSION_HEADER, Tensor } = require('..');
const { BUILDER_OPS } = require('../lib/session_ops');
const { startServer } = require('./support/server');

let server;
let client;

before(async () => {
  server = await startServer();
  client = new Client(server.address, { timeoutMs: 30000 });
  await client.waitForReady(10000);
});

after(async () => {
  client.close();
  assert.equal(await server.stop(), 0, `server exit; stderr: ${server.stderr()}`);
});

/** Runs `body(K)` on a fresh session and closes it after. */
async function withSession(options, body) {
  const K = await client.createSession(options);
  try {
    return await body(K);
  } finally {
    await K.close();
  }
}

describe('server', () => {
  it('reports its version, backends and effective config', async () => {
    const info = await client.serverInfo();
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    // Other backends (plugins, oneDNN) may join; these two are always built in.
    assert.ok(info.backends.includes('eigen') && info.backends.includes('reference'), `${info.backends}`);
    assert.deepEqual(info.config, {
      floatx: 'float32', epsilon: 1e-7, image_data_format: 'channels_last', backend: 'eigen',
    });
    assert.equal(info.config_sources.floatx, 'default');
    assert.ok(info.max_message_bytes > 0);
  });

  it('lists each backend with its ops and dtypes; every named builder is a server op', async () => {
    const all = await client.listBackends();
    assert.deepEqual(all.filter((b) => b.is_default).map((b) => b.name), ['eigen']);
    const backends = all.filter((b) => b.name === 'eigen' || b.name === 'reference');
    assert.equal(backends.length, 2);
    for (const backend of backends) {
      assert.deepEqual(backend.dtypes, ['float16', 'float32', 'float64', 'int8', 'int16',
        'int32', 'int64', 'uint8', 'bool']);
      const missing = BUILDER_OPS.filter((op) => !backend.ops.includes(op));
      assert.deepEqual(missing, [], `${backend.name} lacks ops the client names`);
    }
  });

  it('creates sessions with overrides', async () => {
    await withSession({ backend: 'reference', floatx: 'float64', epsilon: 1e-3 }, async (K) => {
      assert.match(K.id, /^[0-9a-f]{32,}$/);
      assert.deepEqual(K.config, {
        floatx: 'float64', epsilon: 1e-3, image_data_format: 'channels_last', backend: 'reference',
      });
      const x = await K.placeholder({ ndim: 2 });
      assert.equal(x.dtype, 'float64');
      assert.deepEqual(x.shape, [null, null]);
      const sessions = await client.listSessions();
      assert.ok(sessions.some((s) => s.session_id === K.id && s.config.floatx === 'float64'));
    });
  });
});

describe('graph and functions', () => {
  it('batch_dot follows the tf.keras rule: (2,3,1) . (2,4,3), axes [1,2] -> (2,1,4)', async () => {
    await withSession({}, async (K) => {
      const x = await K.placeholder([null, 3, 1], { name: 'x' });
      const yValues = Float32Array.from({ length: 24 }, (_, i) => i - 10);
      const y = await K.variable(Tensor.from(yValues, { shape: [2, 4, 3] }), { name: 'y' });
      const xy = await K.batch_dot(x, y, [1, 2]);
      assert.ok(xy instanceof Node);
      // The batch dim unifies with y's: 2, not unknown.
      assert.deepEqual([xy.kind, xy.dtype, xy.shape], ['op', 'float32', [2, 1, 4]]);
      const f = await K.function([x], [xy]);
      assert.deepEqual(f.inputs, [{ dtype: 'float32', shape: [null, 3, 1] }]);
      assert.deepEqual(f.outputs, [{ dtype: 'float32', shape: [2, 1, 4] }]);
      const xValues = [1, 2, 3, -1, 0, 2];
      const [out] = await f([Tensor.from(Float32Array.from(xValues), { shape: [2, 3, 1] })]);
      // out[b, 0, j] = sum_i x[b, i, 0] * y[b, j, i]
      const expected = [];
      for (let b = 0; b < 2; ++b) {
        for (let j = 0; j < 4; ++j) {
          let s = 0;
          for (let i = 0; i < 3; ++i) s += xValues[b * 3 + i] * yValues[b * 12 + j * 3 + i];
          expected.push(s);
        }
      }
      assert.equal(out.dtype, 'float32');
      assert.deepEqual(out.shape, [2, 1, 4]);
      assert.deepEqual(Array.from(out.data), expected);
    });
  });

  it('dot, prod, cast and an int32 update across calls', async () => {
    await withSession({}, async (K) => {
      const k = await K.variable([[1, -2, 3], [4, 5, -6]], { dtype: 'int32', name: 'k' });
      assert.deepEqual([k.kind, k.dtype, k.shape], ['variable', 'int32', [2, 3]]);
      const w = await K.constant([[1, 0], [0, 1], [2, 2]], { dtype: 'float64' });
      const p = await K.prod(k, 1);
      const kd = await K.cast(k, 'float64');
      const d = await K.dot(kd, w);
      const half = await K.cast(await K.multiply(kd, 0.5), 'int32');  // truncates toward zero
      const next = await K.add(k, 1);
      assert.equal(next.dtype, 'int32', 'a number takes the dtype of the node it joins');
      const f = await K.function([], [p, kd, d, half], [[k, next]]);

      const first = await f();
      assert.deepEqual(first.map((t) => [t.dtype, t.shape]),
        [['int32', [2]], ['float64', [2, 3]], ['float64', [2, 2]], ['int32', [2, 3]]]);
      assert.deepEqual(Array.from(first[0].data), [-6, -120]);
      assert.deepEqual(first[1].toArray(), [[1, -2, 3], [4, 5, -6]]);
      assert.deepEqual(first[2].toArray(), [[7, 4], [-8, -7]]);
      assert.deepEqual(Array.from(first[3].data), [0, -1, 1, 2, 2, -3]);

      const second = await f([]);
      assert.deepEqual(Array.from(second[0].data), [-8, -150], 'the update ran after call 1');
      const value = await K.getValue(k);
      assert.equal(value.dtype, 'int32');
      assert.deepEqual(value.toArray(), [[3, 0, 5], [6, 7, -4]]);
    });
  });

  it('seeded initializers repeat exactly; other seeds differ; ranges hold', async () => {
    await withSession({}, async (K) => {
      const a = await K.random_uniform_variable([50, 40], -1, 1, { seed: 1234 });
      const b = await K.random_uniform_variable([50, 40], -1, 1, { seed: 1234n });
      const c = await K.random_uniform_variable([50, 40], -1, 1, { seed: 1235 });
      const n = await K.random_normal_variable([2000], 3, 0.5, { seed: 7, dtype: 'float64' });
      const [va, vb, vc, vn] = await K.batchGetValue([a, b, c, n]);
      assert.deepEqual(Buffer.from(va.data.buffer), Buffer.from(vb.data.buffer));
      assert.notDeepEqual(Buffer.from(va.data.buffer), Buffer.from(vc.data.buffer));
      assert.ok(va.data.every((v) => v >= -1 && v < 1));
      assert.equal(vn.dtype, 'float64');
      const mean = vn.data.reduce((s, v) => s + v, 0) / vn.size;
      assert.ok(Math.abs(mean - 3) < 0.05, `mean ${mean}`);
      const zeros = await K.getValue(await K.zeros([2, 2], { dtype: 'int64' }));
      assert.deepEqual(zeros.toArray(), [[0n, 0n], [0n, 0n]]);
      const eye = await K.getValue(await K.eye(2));
      assert.deepEqual(eye.toArray(), [[1, 0], [0, 1]]);
      assert.deepEqual((await K.getValue(await K.ones([3], { dtype: 'bool' }))).toArray(), [true, true, true]);
    });
  });

  it('keeps float16 bits, int64 and bool values exactly through the server', async () => {
    await withSession({}, async (K) => {
      const bits = Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]);
      const h = await K.variable(new Tensor('float16', [4], bits));
      assert.deepEqual(Array.from((await K.getValue(h)).data), Array.from(bits));
      const big = [-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n];
      const i64 = await K.variable(big, { dtype: 'int64' });
      assert.deepEqual((await K.getValue(i64)).values(), big);
      await K.setValue(i64, [1n, 2n, 3n]);
      assert.deepEqual((await K.getValue(i64)).values(), [1n, 2n, 3n]);
      const mask = await K.variable([true, false], { dtype: 'bool' });
      const notMask = await K.runOp('logical_not', [mask]);
      assert.deepEqual([notMask.dtype, notMask.toArray()], ['bool', [false, true]]);
    });
  });

  it('named builders send Keras attributes', async () => {
    await withSession({}, async (K) => {
      const v = await K.variable([-2, -0.5, 0.5, 3]);
      const relu = await K.relu(v, 0.5, 2);
      const clip = await K.clip(v, -1, 1);
      const m = await K.reshape(v, [2, 2]);
      const rowMean = await K.mean(m, 1, true);
      const colMax = await K.max(m, 0);
      const t = await K.transpose(m);
      assert.deepEqual([m.shape, rowMean.shape, colMax.shape], [[2, 2], [2, 1], [2]]);
      const f = await K.function([], [relu, clip, rowMean, colMax, t, await K.sum(v)]);
      const [r, c, rm, cm, tt, total] = await f();
      assert.deepEqual(Array.from(r.data), [-1, -0.25, 0.5, 2]);
      assert.deepEqual(Array.from(c.data), [-1, -0.5, 0.5, 1]);
      assert.deepEqual(rm.toArray(), [[-1.25], [1.75]]);
      assert.deepEqual(cm.toArray(), [0.5, 3]);
      assert.deepEqual(tt.toArray(), [[-2, 0.5], [-0.5, 3]]);
      assert.deepEqual([total.shape, total.toArray()], [[], 1]);
      await K.setValue(v, Float32Array.of(1, 2, 3, 4));
      assert.deepEqual((await K.eval(rowMean)).toArray(), [[1.5], [3.5]]);
    });
  });

  it('runs eager ops on inline tensors and held values, and keeps results', async () => {
    await withSession({}, async (K) => {
      const a = Tensor.from([[1, 2], [3, 4]], { dtype: 'float32' });
      const sum = await K.runOp('sum', [a], { axis: 0 });
      assert.deepEqual([sum.dtype, sum.shape, Array.from(sum.data)], ['float32', [2], [4, 6]]);
      const v = await K.variable(a, { name: 'v' });
      const { value, kept } = await K.runOp('multiply', [v, a], {}, { keep: true, keepName: 'sq' });
      assert.deepEqual(value.toArray(), [[1, 4], [9, 16]]);
      assert.deepEqual([kept.handle, kept.kind, kept.shape], ['sq', 'constant', [2, 2]]);
      assert.deepEqual((await K.eval(await K.add(kept, v))).toArray(), [[2, 6], [12, 20]]);
    });
  });

  it('clearSession frees every byte, restarts names and retires old nodes', async () => {
    await withSession({}, async (K) => {
      const v = await K.ones([100, 100]);
      assert.equal(v.handle, 'variable_1');
      const f = await K.function([], [await K.sum(v)]);
      assert.deepEqual(Array.from((await f())[0].data), [10000]);
      const before = await K.stats();
      assert.ok(before.bytes_held >= 40000, `bytes_held ${before.bytes_held}`);
      assert.deepEqual([before.variables, before.functions], [1, 1]);
      const cleared = await K.clearSession();
      assert.deepEqual([cleared.bytes_held, cleared.nodes, cleared.variables, cleared.functions], [0, 0, 0, 0]);
      const again = await K.zeros([1]);
      assert.equal(again.handle, 'variable_1');
      await assert.rejects(K.getValue(v), { codeName: 'FAILED_PRECONDITION', details: 'x variable_1 was made before clearSession()' });
      await assert.rejects(f(), { codeName: 'FAILED_PRECONDITION' });
    });
  });
});

describe('session metadata', () => {
  it('sends remotek-session-id on every session call and only there', async () => {
    const seen = [];
    const recorder = (options, nextCall) => {
      const method = options.method_definition.path.split('/').pop();
      return new (require('@grpc/grpc-js').InterceptingCall)(nextCall(options), {
        start(metadata, listener, next) {
          seen.push([method, metadata.get(SESSION_HEADER)]);
          next(metadata, listener);
        },
      });
    };
    const traced = new Client(server.address, { interceptors: [recorder] });
    try {
      await traced.serverInfo();
      const K = await traced.createSession();
      const x = await K.placeholder([2]);
      const y = await K.variable([1, 2]);
      const f = await K.function([x], [await K.add(x, y)]);
      await f([[3, 4]]);
      await K.getValue(y);
      await K.clearSession();
      await K.close();
      const scoped = seen.filter(([m]) => !['GetServerInfo', 'CreateSession'].includes(m));
      // CreateSession carries the id the client proposes, which the server adopts.
      assert.deepEqual(seen.slice(0, 2), [['GetServerInfo', []], ['CreateSession', [K.id]]]);
      assert.match(K.id, /^[0-9a-f]{32}$/);
      assert.deepEqual(scoped.map(([m]) => m), ['Placeholder', 'Variable', 'OpNode', 'Function',
        'Call', 'GetValue', 'ClearSession', 'CloseSession']);
      for (const [method, values] of scoped) assert.deepEqual(values, [K.id], method);
    } finally {
      traced.close();
    }
  });
});

#!/usr/bin/env node
'use strict';
// The Keras backend API through the RemoteK Node.js client.
//
//   remotek-server --address=127.0.0.1:50051 &
//   node client/node/examples/keras_session.js 127.0.0.1:50051 [seed]
//
// Mirrors this Keras program (and client/cpp/examples/keras_session.cc):
//   x = K.placeholder(shape=(None, 20, 1), name="x")
//   y = K.random_uniform_variable((32, 30, 20), 0, 1, seed=seed, name="y")
//   w = K.random_normal_variable((30, 4), 0, 0.1, seed=seed, name="w")
//   xy = K.batch_dot(x, y, axes=(1, 2))         # (32, 1, 30)
//   z = K.dot(xy, w)                              # (32, 1, 4)
//   total = K.sum(z)
//   calls = K.zeros(()); one = K.constant(1.0)
//   f = K.function([x], [xy, z, total], updates=[(calls, calls + one)])
//   f([x_value]); f([x_value]); K.get_value(calls)  # 2.0
//   K.clear_session()

const { Client, Tensor } = require('..');

// "[?,20,1]": unknown dims (Keras's None) print as "?", as the C++ example does.
function dims(shape) {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(',')}]`;
}

function show(name, tensor, count) {
  const head = Array.from(tensor.data.subarray(0, count), (v) => Number(v).toFixed(5).padStart(9));
  const more = tensor.size > count ? ' ...' : '';
  console.log(`${name.padEnd(6)} ${`${tensor.dtype}[${tensor.shape}]`.padEnd(16)}${head.join(' ')}${more}`);
}

async function run(address, seed) {
  const client = new Client(address);
  await client.waitForReady(5000);
  const K = await client.createSession();
  try {
    console.log(`session ${K.id} backend ${K.backend} floatx ${K.floatx}`);

    // Graph: each call resolves to the node with the shape the server inferred.
    const x = await K.placeholder([null, 20, 1], { dtype: 'float32', name: 'x' });
    const y = await K.random_uniform_variable([32, 30, 20], 0, 1, { seed, name: 'y' });
    const w = await K.random_normal_variable([30, 4], 0, 0.1, { seed, name: 'w' });
    const xy = await K.batch_dot(x, y, [1, 2]);
    const z = await K.dot(xy, w);
    const total = await K.sum(z);
    const calls = await K.zeros([], { name: 'calls' });
    const one = await K.constant(1.0, { name: 'one' });
    const next = await K.add(calls, one);
    console.log(`x ${dims(x.shape)}  xy ${dims(xy.shape)}  z ${dims(z.shape)}`);

    const f = await K.function([x], [xy, z, total], [[calls, next]]);
    const xValue = new Float32Array(32 * 20).map((_, i) => (i % 7) / 7);
    for (let call = 1; call <= 2; ++call) {
      const [xyOut, zOut, totalOut] = await f([Tensor.from(xValue, { shape: [32, 20, 1] })]);
      console.log(`call ${call}`);
      show('xy', xyOut, 4);
      show('z', zOut, 4);
      show('total', totalOut, 1);
    }
    show('calls', await K.getValue(calls), 1);

    const stats = await K.stats();
    console.log(`bytes_held ${stats.bytes_held}  nodes ${stats.nodes}  ` +
      `variables ${stats.variables}  functions ${stats.functions}`);
    const cleared = await K.clearSession();
    console.log(`after clear_session: bytes_held ${cleared.bytes_held}  nodes ${cleared.nodes}`);
  } finally {
    await K.close();
    client.close();
  }
  console.log('closed');
}

const [address = '127.0.0.1:50051', seedArg = '42'] = process.argv.slice(2);
run(address, BigInt(seedArg)).catch((error) => {
  // RemoteKError's message is "<CODE NAME>: <server message>".
  console.error(`keras_session: ${error.message}`);
  process.exitCode = 1;
});

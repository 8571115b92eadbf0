'use strict';
// The cross-language scenario (see README.md) through the Node client.
//
//   node scenario.js 127.0.0.1:PORT
//
// Prints one JSON document. Needs client/node/node_modules (npm ci).

const path = require('node:path');

const { Client, Tensor } = require(path.join(__dirname, '..', '..', '..', 'client', 'node'));

const OUTPUTS = ['xy', 'z', 'zb', 'pz', 'pk', 'zi', 'z64', 'k64'];

function feeds() {
  const x1 = Float32Array.from({ length: 80 }, (_, i) => (((7 * i) % 11) - 5) / 4);
  const x2 = Float32Array.from({ length: 80 }, (_, i) => ((3 * i) % 8) / 8 - 0.5);
  const b1 = Float32Array.from({ length: 20 }, (_, j) => (j % 3) - 1);
  const b2 = Float32Array.from({ length: 20 }, (_, j) => j / 2 - 2);
  const x = (data) => Tensor.from(data, { shape: [4, 20, 1] });
  const b = (data) => Tensor.from(data, { shape: [4, 1, 5] });
  return [[x(x1), b(b1)], [x(x2), b(b2)]];
}

/** A Tensor -> {dtype, shape, values, hex}; hex is the raw little-endian bytes. */
function tensorJson(t) {
  // int64 values leave as numbers only when exact; none here exceed 2^53.
  const values = Array.from(t.values(), (v) => (typeof v === 'bigint' ? Number(v) : v));
  return { dtype: t.dtype, shape: t.shape, values, hex: t.bytes().toString('hex') };
}

function specJson(node) {
  return { dtype: node.dtype, shape: node.shape.map((d) => (d === null ? -1 : d)) };
}

async function main(address) {
  const tensors = {};
  const facts = {};
  const client = new Client(address, { timeoutMs: 60000 });
  const K = await client.createSession();
  facts.session = { floatx: K.floatx, backend: K.backend };

  const u = await K.random_uniform_variable([4, 30, 20], -1, 1, { name: 'u', seed: 1234 });
  const n = await K.random_normal_variable([30, 5], 0, 0.5, { name: 'n', seed: 99 });
  const n64 = await K.random_normal_variable([3, 4], 1, 2, { dtype: 'float64', name: 'n64', seed: 7 });
  const k = await K.variable(Tensor.from([[1, -2, 3], [4, 5, -6]], { dtype: 'int32' }), { name: 'k' });
  const one = await K.constant(1, { dtype: 'int32', name: 'one' });
  const x = await K.placeholder([null, 20, 1], { dtype: 'float32', name: 'x' });
  const b = await K.placeholder([null, 1, 5], { dtype: 'float32', name: 'b' });
  const xy = await K.batch_dot(x, u, [1, 2]);
  const z = await K.dot(xy, n);
  const zb = await K.add(z, b);
  const pz = await K.prod(zb, 2);
  const pk = await K.prod(k, 1);
  const zi = await K.cast(zb, 'int32');
  const z64 = await K.cast(zb, 'float64');
  const k64 = await K.cast(k, 'float64');
  const knext = await K.add(k, one);
  const nodes = { u, n, n64, k, one, x, b, xy, z, zb, pz, pk, zi, z64, k64, knext };
  for (const [name, node] of Object.entries(nodes)) facts[`spec.${name}`] = specJson(node);

  const f = await K.function([x, b], [xy, z, zb, pz, pk, zi, z64, k64], [[k, knext]]);
  let call = 0;
  for (const feed of feeds()) {
    call += 1;
    const outputs = await f(feed);
    OUTPUTS.forEach((name, i) => { tensors[`call${call}.${name}`] = tensorJson(outputs[i]); });
  }

  for (const [name, node] of Object.entries({ u, n, n64, k })) {
    tensors[`value.${name}`] = tensorJson(await K.getValue(node));
  }

  const stats = await K.clearSession();
  facts.clear = [stats.bytes_held, stats.nodes, stats.variables, stats.functions];
  const again = await K.zeros([2], { dtype: 'int32' });
  facts.handle_after_clear = again.handle;
  tensors['value.after_clear'] = tensorJson(await K.getValue(again));
  await K.close();
  facts.closed = K.closed;
  client.close();
  process.stdout.write(`${JSON.stringify({ client: 'node', tensors, facts })}\n`);
}

if (process.argv.length !== 3) {
  console.error('usage: scenario.js HOST:PORT');
  process.exit(2);
}
main(process.argv[2]).catch((error) => {
  console.error(`scenario.js: ${error.message}`);
  process.exitCode = 1;
});

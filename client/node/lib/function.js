'use strict';
// The callable K.function returns: `await f(feeds)` runs the compiled plan
// with one feed per input (in input order) and resolves to one Tensor per
// output; the function's updates land after the outputs are computed.
//
//   const f = await K.function([x], [xy], [[calls, next]]);
//   const [out] = await f([xValue]);
//   f.inputs;  // [{dtype: 'float32', shape: [null, 20, 1]}]
//   await f.release();

function makeFunction(session, handle, inputs, outputs, generation) {
  const fn = (feeds = []) => session.callFunction(fn, feeds);
  Object.defineProperties(fn, {
    handle: { value: handle, enumerable: true },
    inputs: { value: inputs, enumerable: true },    // [{dtype, shape}] of the placeholders
    outputs: { value: outputs, enumerable: true },  // [{dtype, shape}]
    generation: { value: generation },
    session: { value: session },
    call: { value: (feeds) => fn(feeds) },
    // Frees the plan on the server; later calls give NOT_FOUND.
    release: { value: () => session.releaseFunction(fn) },
  });
  return fn;
}

module.exports = { makeFunction };

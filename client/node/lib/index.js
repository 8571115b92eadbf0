'use strict';
// RemoteK Node.js client: the Keras backend API over gRPC.
//
//   const { Client, Tensor } = require('remotek');
//   const client = new Client('127.0.0.1:50051');
//   const K = await client.createSession();
//   const x = await K.placeholder([null, 4, 5]);
//   const f = await K.function([x], [await K.sum(x, 1)]);
//   const [out] = await f([Tensor.from(new Float32Array(40), { shape: [2, 4, 5] })]);
//
// The wire contract is read at run time from the repository's proto/ folder
// (or $REMOTEK_PROTO_DIR); see README.md.

const { Client, CHANNEL_OPTIONS } = require('./client');
const { DTYPE_NAMES } = require('./dtypes');
const { RemoteKError, Status, codeName } = require('./errors');
const { float16BitsToNumber, numberToFloat16Bits } = require('./float16');
const { Node } = require('./node');
const { SESSION_HEADER } = require('./rpc');
const { Session } = require('./session');
const { Tensor } = require('./tensor');

module.exports = {
  CHANNEL_OPTIONS,
  Client,
  DTYPES: DTYPE_NAMES,
  Node,
  RemoteKError,
  SESSION_HEADER,
  Session,
  Status,
  Tensor,
  codeName,
  float16BitsToNumber,
  numberToFloat16Bits,
};

'use strict';
// Loads the wire contract — the repository's proto/remotek/v1/*.proto, the
// same files the server and the other clients are built from — at run time
// with @grpc/proto-loader. Nothing is generated or copied.
//
// The folder is $REMOTEK_PROTO_DIR when set, else the repository's proto/
// (this package lives in <repo>/client/node).

const path = require('node:path');
const fs = require('node:fs');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const DEFAULT_PROTO_DIR = path.resolve(__dirname, '..', '..', '..', 'proto');
const PROTO_FILES = [
  'remotek/v1/remotek.proto',
  'remotek/v1/tensor.proto',
  'remotek/v1/keras_config.proto',
];

// keepCase: field names as in the .proto (session_id), like every other
// RemoteK client. longs: Number — dims, byte counts and times fit in 2^53.
// enums: String — dtypes arrive as "FLOAT32". defaults: repeated fields are
// [] and scalars 0/"" when absent (a scalar's shape is []), oneofs: the set
// member's name is given too.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

const cache = new Map();

/** The remotek.v1 package (service constructor and message types) from `protoDir`. */
function loadRemoteK(protoDir = process.env.REMOTEK_PROTO_DIR || DEFAULT_PROTO_DIR) {
  const dir = path.resolve(protoDir);
  if (!cache.has(dir)) {
    const main = path.join(dir, PROTO_FILES[0]);
    if (!fs.existsSync(main)) {
      throw new Error(`remotek: ${main} not found; set REMOTEK_PROTO_DIR to the ` +
        "repository's proto/ folder");
    }
    const definition = protoLoader.loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [dir] });
    cache.set(dir, grpc.loadPackageDefinition(definition).remotek.v1);
  }
  return cache.get(dir);
}

module.exports = { DEFAULT_PROTO_DIR, loadRemoteK };

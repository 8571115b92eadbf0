'use strict';
// examples/keras_session.js runs against a real server, prints what the
// Keras program it mirrors computes, and fails cleanly without a server.

const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { after, before, it } = require('node:test');
const { promisify } = require('node:util');

const { startServer } = require('./support/server');

const EXAMPLE = path.join(__dirname, '..', 'examples', 'keras_session.js');
const run = promisify(execFile);

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  assert.equal(await server.stop(), 0, `server exit; stderr: ${server.stderr()}`);
});

it('builds the graph, calls it twice and clears the session', async () => {
  const { stdout } = await run(process.execPath, [EXAMPLE, server.address, '42'], { timeout: 30000 });
  const lines = stdout.split('\n');
  assert.match(lines[0], /^session [0-9a-f]{32,} backend eigen floatx float32$/);
  assert.equal(lines[1], 'x [?,20,1]  xy [32,1,30]  z [32,1,4]');
  const totals = lines.filter((l) => l.startsWith('total')).map((l) => Number(l.split(/\s+/)[2]));
  assert.equal(totals.length, 2);
  assert.ok(Number.isFinite(totals[0]) && totals[0] !== 0, `total ${totals[0]}`);
  assert.equal(totals[1], totals[0], 'same feed, same variables: same total');
  assert.match(stdout, /\ncalls {2}float32\[\] +2\.00000\n/);
  assert.match(stdout, /\nbytes_held [1-9]\d* {2}nodes 9 {2}variables 3 {2}functions 1\n/);
  assert.match(stdout, /\nafter clear_session: bytes_held 0 {2}nodes 0\nclosed\n$/);
});

it('exits 1 with the gRPC code when no server listens', async () => {
  await assert.rejects(run(process.execPath, [EXAMPLE, '127.0.0.1:1'], { timeout: 30000 }), (error) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /^keras_session: UNAVAILABLE: 127\.0\.0\.1:1 not reachable/);
    return true;
  });
});

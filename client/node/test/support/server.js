'use strict';
// Starts a real remotek-server on 127.0.0.1:0 for the tests and reads the port
// it chose from its first stdout line:
//   "remotek-server listening on 127.0.0.1:PORT backends=[...] ..."
//
// Environment: REMOTEK_SERVER_BINARY, the built server (CTest sets it).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const STARTUP_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 15000;
const LISTENING = /^remotek-server listening on 127\.0\.0\.1:(\d+) /;

function serverBinary() {
  const binary = process.env.REMOTEK_SERVER_BINARY;
  if (!binary) {
    throw new Error('REMOTEK_SERVER_BINARY is not set; run these tests through CTest ' +
      "(ctest -R '^node_client_test$') or set it to the built remotek-server");
  }
  fs.accessSync(binary, fs.constants.X_OK);
  return binary;
}

/** Resolves to {address, stop()} once the server listens; stop() resolves to its exit code. */
function startServer(extraArgs = []) {
  const binary = serverBinary();
  // An empty KERAS_HOME and no KERAS_BACKEND: the server runs on its defaults.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'remotek-node-test-'));
  const env = { ...process.env, KERAS_HOME: home };
  delete env.KERAS_BACKEND;
  const child = spawn(binary, ['--address=127.0.0.1:0', '--threads=2', ...extraArgs],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal || code)));

  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`remotek-server did not start in ${STARTUP_TIMEOUT_MS} ms; stderr: ${stderr}`));
    }, STARTUP_TIMEOUT_MS);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`remotek-server exited (${code}) before listening; stderr: ${stderr}`));
    });
    child.stdout.on('data', function onData(chunk) {
      stdout += chunk;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData);
      child.stdout.resume();  // keep draining so the server never blocks on a full pipe
      clearTimeout(timer);
      const match = LISTENING.exec(stdout.slice(0, newline));
      if (!match) {
        child.kill('SIGKILL');
        reject(new Error(`unexpected first line from remotek-server: ${stdout.slice(0, newline)}`));
        return;
      }
      resolve({
        address: `127.0.0.1:${match[1]}`,
        stderr: () => stderr,
        async stop() {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
          const code = await exited;
          clearTimeout(killer);
          fs.rmSync(home, { recursive: true, force: true });
          return code;
        },
      });
    });
  });
}

module.exports = { startServer };

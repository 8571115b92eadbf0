'use strict';
// Client: a connection to a RemoteK server (a grpc-js channel to the
// RemoteK service loaded from proto/), and the server-level calls.
//
//   const { Client } = require('remotek');
//   const client = new Client('127.0.0.1:50051');
//   const info = await client.serverInfo();       // {version, backends, config, ...}
//   const K = await client.createSession({ backend: 'eigen', floatx: 'float32' });
//   ...
//   await K.close();
//   client.close();
//
// Every call returns a Promise and rejects with RemoteKError.

const crypto = require('crypto');
const grpc = require('@grpc/grpc-js');

const { dtypeOfWire, wireDType } = require('./dtypes');
const { RemoteKError, Status } = require('./errors');
const { loadRemoteK } = require('./proto');
const { unary } = require('./rpc');
const { Session } = require('./session');

// No message size limits on our side (the server has its own), and the same
// 16 MiB HTTP/2 window the other clients and the server use, without which
// large server->client transfers crawl.
const CHANNEL_OPTIONS = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  'grpc-node.flow_control_window': 16 << 20,
};

class Client {
  /**
   * @param {string} target "host:port"; connects lazily, without TLS.
   * @param {object} options timeoutMs: deadline of each call (0: none);
   *   protoDir: folder with remotek/v1/*.proto (default: the repository's);
   *   credentials: grpc ChannelCredentials (default insecure);
   *   channelOptions: extra grpc-js channel options; interceptors: grpc-js
   *   client interceptors.
   */
  constructor(target, { timeoutMs = 0, protoDir, credentials, channelOptions = {}, interceptors } = {}) {
    if (typeof target !== 'string' || target === '') {
      throw new RemoteKError(Status.INVALID_ARGUMENT, `target=${JSON.stringify(target)} must be "host:port"`);
    }
    const RemoteK = loadRemoteK(protoDir).RemoteK;
    const options = { ...CHANNEL_OPTIONS, ...channelOptions };
    if (interceptors) options.interceptors = interceptors;
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.stub = new RemoteK(target, credentials || grpc.credentials.createInsecure(), options);
  }

  /** One unary RPC; `sessionId` (when set) travels as the session header. */
  rpc(method, request, sessionId = '') {
    return unary(this.stub, method, request, { sessionId, timeoutMs: this.timeoutMs });
  }

  /** Resolves once the channel is connected; UNAVAILABLE after `timeoutMs`. */
  waitForReady(timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      this.stub.waitForReady(new Date(Date.now() + timeoutMs), (error) => {
        if (error) {
          reject(new RemoteKError(Status.UNAVAILABLE,
            `${this.target} not reachable within ${timeoutMs} ms: ${error.message}`));
        } else {
          resolve();
        }
      });
    });
  }

  /** {version, config: {floatx, epsilon, image_data_format, backend}, backends,
   *  config_sources: {floatx: 'default' | 'file' | 'env' | 'flag', ...}, max_message_bytes}. */
  async serverInfo() {
    const info = await this.rpc('GetServerInfo', {});
    return { ...info, config: { ...info.config, floatx: dtypeOfWire(info.config.floatx) } };
  }

  /** [{name, ops, dtypes (Keras names), is_default}] for every backend the server hosts. */
  async listBackends() {
    const response = await this.rpc('ListBackends', {});
    return response.backends.map((b) => ({ ...b, dtypes: b.dtypes.map(dtypeOfWire) }));
  }

  /** Sends `payload` (a Buffer) and resolves to what came back. */
  async echo(payload) {
    return (await this.rpc('Echo', { payload })).payload;
  }

  /**
   * A new Session. Options left out take the server's defaults: backend
   * ("eigen", "reference", ...), floatx, epsilon, image_data_format.
   * NOT_FOUND for an unknown backend, INVALID_ARGUMENT for a bad override.
   */
  async createSession({ backend = '', floatx, epsilon = 0, image_data_format = '', imageDataFormat } = {}) {
    const request = {
      backend,
      floatx: wireDType(floatx, 'floatx'),
      epsilon,
      image_data_format: imageDataFormat || image_data_format,
      // Proposed here and sent as the session header too, so a proxy that
      // routes by the header creates the session where its calls will go.
      session_id: crypto.randomBytes(16).toString('hex'),
    };
    return new Session(this, await this.rpc('CreateSession', request, request.session_id));
  }

  /** [{session_id, config, stats}] of every session the server holds for this caller. */
  async listSessions() {
    const response = await this.rpc('ListSessions', {});
    return response.sessions.map((s) => ({
      ...s, config: { ...s.config, floatx: dtypeOfWire(s.config.floatx) },
    }));
  }

  /** Closes the channel; calls still in flight fail with CANCELLED/UNAVAILABLE. */
  close() {
    this.stub.close();
  }
}

module.exports = { CHANNEL_OPTIONS, Client };

'use strict';
// RemoteKError: the one error type the client rejects with.
//
// Server errors keep the server's gRPC code and message unchanged. A few are
// raised by the client itself, with the code the server would use for the same
// mistake: INVALID_ARGUMENT for a value it cannot encode, FAILED_PRECONDITION
// for a closed session or a node from before clearSession(), DATA_LOSS for a
// malformed answer.

const { status: Status } = require('@grpc/grpc-js');

// Numeric code -> its name ("NOT_FOUND"), from grpc-js's own enum.
const CODE_NAMES = Object.freeze(Object.fromEntries(
  Object.entries(Status).filter(([, code]) => typeof code === 'number')
    .map(([name, code]) => [code, name])));

function codeName(code) {
  return CODE_NAMES[code] || `CODE_${code}`;
}

class RemoteKError extends Error {
  /**
   * @param {number} code    a gRPC status code (grpc.status.NOT_FOUND, ...)
   * @param {string} details the server's (or the client's) message
   */
  constructor(code, details, options) {
    super(`${codeName(code)}: ${details}`, options);
    this.name = 'RemoteKError';
    this.code = code;
    this.codeName = codeName(code);
    this.details = details;
  }

  /** Wraps a grpc-js ServiceError; `method` is the RPC, kept for debugging. */
  static fromServiceError(error, method) {
    const code = typeof error.code === 'number' ? error.code : Status.UNKNOWN;
    const details = typeof error.details === 'string' ? error.details : String(error.message);
    const wrapped = new RemoteKError(code, details, { cause: error });
    wrapped.method = method;
    return wrapped;
  }
}

module.exports = { RemoteKError, Status, codeName };

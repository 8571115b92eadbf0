'use strict';
// One unary RPC as a Promise: the session header, the deadline, and grpc-js
// errors turned into RemoteKError. Every client call goes through here.

const grpc = require('@grpc/grpc-js');

const { RemoteKError } = require('./errors');

// The metadata header that carries the session id on every session-scoped
// call, so a proxy can route a session's calls to the replica that holds it.
const SESSION_HEADER = 'remotek-session-id';

function sessionMetadata(sessionId) {
  const metadata = new grpc.Metadata();
  if (sessionId) metadata.set(SESSION_HEADER, sessionId);
  return metadata;
}

/**
 * Calls `stub[method](request)`.
 * @param {object} options  sessionId: sent as the session header when set;
 *                          timeoutMs: a deadline for the call (0: none)
 * @returns {Promise<object>} the decoded response
 */
function unary(stub, method, request, { sessionId = '', timeoutMs = 0 } = {}) {
  const callOptions = timeoutMs > 0 ? { deadline: new Date(Date.now() + timeoutMs) } : {};
  return new Promise((resolve, reject) => {
    stub[method](request, sessionMetadata(sessionId), callOptions, (error, response) => {
      if (error) reject(RemoteKError.fromServiceError(error, method));
      else resolve(response);
    });
  });
}

module.exports = { SESSION_HEADER, sessionMetadata, unary };

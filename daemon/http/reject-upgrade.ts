// Refusing an HTTP upgrade (exec, attach, port-forward) with a Kubernetes Status.
//
// An upgrade request never reaches an HTTP response object: Node hands the raw socket to
// `server.on('upgrade')`. When the request fails before the switch (401, a pod that is not
// running, a refused port), the server must still answer in plain HTTP, so the caller (kubectl, or
// the API server calling a kubelet) reads the same Status body and code as from any other request,
// and then the connection closes. The API server and the kubelet's stream server both answer so.

import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiError } from '../../lib/errors.js';

/** Answers a refused upgrade as plain HTTP with a Status body, then closes the connection. */
export function rejectUpgrade(socket: Duplex, error: ApiError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toStatus());
  socket.end(
    `HTTP/1.1 ${error.code} ${http.STATUS_CODES[error.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
    () => socket.destroy(),
  );
}

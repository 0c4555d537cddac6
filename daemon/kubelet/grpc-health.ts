// The standard gRPC health checking protocol (grpc.health.v1.Health/Check), the one Kubernetes'
// gRPC probes speak, over @grpc/grpc-js. The two messages are tiny, so they are encoded here by
// hand instead of loading health.proto:
//
//   message HealthCheckRequest  { string service = 1; }
//   message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
//                                 ServingStatus status = 1; }
//
// grpcProbe is the kubelet's pkg/probe/grpc: SERVING passes; any other status, an error or a
// timeout fails with Kubernetes' message. healthServiceDefinition also lets a test (or a lab
// app) serve the protocol.

import * as grpc from '@grpc/grpc-js';
import type { ProbeOutcome } from './prober.js';

export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;
export type ServingStatus = (typeof SERVING_STATUS)[number];

function encodeVarint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

function readVarint(buffer: Buffer, offset: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (offset >= buffer.length) throw new Error('truncated varint');
    const byte = buffer[offset++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, offset];
    shift += 7;
  }
}

/** Field 1 of a message: a string (request) or a varint (response); other fields are skipped. */
function readField1(buffer: Buffer): { text?: string; number?: number } {
  let offset = 0;
  const found: { text?: string; number?: number } = {};
  while (offset < buffer.length) {
    let key: number;
    [key, offset] = readVarint(buffer, offset);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let value: number;
      [value, offset] = readVarint(buffer, offset);
      if (field === 1) found.number = value;
    } else if (wire === 2) {
      let length: number;
      [length, offset] = readVarint(buffer, offset);
      if (field === 1) found.text = buffer.subarray(offset, offset + length).toString('utf8');
      offset += length;
    } else if (wire === 5) offset += 4;
    else if (wire === 1) offset += 8;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return found;
}

export const encodeRequest = (request: { service: string }): Buffer => {
  const text = Buffer.from(request.service, 'utf8');
  return text.length === 0 ? Buffer.alloc(0) : Buffer.from([0x0a, ...encodeVarint(text.length), ...text]);
};
export const decodeRequest = (buffer: Buffer): { service: string } => ({ service: readField1(buffer).text ?? '' });
export const encodeResponse = (response: { status: ServingStatus }): Buffer => {
  const value = SERVING_STATUS.indexOf(response.status);
  return value === 0 ? Buffer.alloc(0) : Buffer.from([0x08, ...encodeVarint(value)]);
};
export const decodeResponse = (buffer: Buffer): { status: ServingStatus } => ({ status: SERVING_STATUS[readField1(buffer).number ?? 0] ?? 'UNKNOWN' });

export const healthServiceDefinition = {
  check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeRequest,
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: decodeResponse,
  },
} satisfies grpc.ServiceDefinition;

const HealthClient = grpc.makeGenericClientConstructor(healthServiceDefinition, 'grpc.health.v1.Health');

/** One gRPC probe attempt against host:port, as the kubelet makes it (plaintext, no TLS). */
export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timeoutText = `${timeoutMs / 1000}s`;
  const client = new HealthClient(address, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    check(request: { service: string }, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, response?: { status: ServingStatus }) => void): void;
  };
  const deadline = new Date(Date.now() + timeoutMs);
  return new Promise<ProbeOutcome>((resolve) => {
    client.waitForReady(deadline, (connectError) => {
      if (connectError) {
        resolve({ attempt: 'failure', message: `timeout: failed to connect service "${address}" within ${timeoutText}: context deadline exceeded` });
        return;
      }
      client.check({ service }, { deadline }, (err, response) => {
        if (err) {
          if (err.code === grpc.status.UNIMPLEMENTED) resolve({ attempt: 'failure', message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}` });
          else if (err.code === grpc.status.DEADLINE_EXCEEDED) resolve({ attempt: 'failure', message: `timeout: health rpc did not complete within ${timeoutText}` });
          else resolve({ attempt: 'failure', message: `error: health rpc probe failed: rpc error: code = ${grpc.status[err.code]} desc = ${err.details}` });
          return;
        }
        const status = response?.status ?? 'UNKNOWN';
        resolve(status === 'SERVING' ? { attempt: 'success' } : { attempt: 'failure', message: `service unhealthy (responded with "${status}")` });
      });
    });
  }).finally(() => client.close());
}

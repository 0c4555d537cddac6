// A small gRPC health server (grpc.health.v1.Health) for the gRPC probe test: run inside a pod's
// network namespace by the test (`nsenter -t <sandbox pid> -n tsx grpc-health-server.ts PORT`),
// it answers SERVING for every service; it prints `listening` once bound.

import * as grpc from '@grpc/grpc-js';
import { healthServiceDefinition, type ServingStatus } from '../../daemon/kubelet/grpc-health.js';

const port = Number(process.argv[2] ?? 50051);
const status: ServingStatus = (process.argv[3] as ServingStatus) ?? 'SERVING';
const server = new grpc.Server();
server.addService(healthServiceDefinition, {
  check: (_call: grpc.ServerUnaryCall<{ service: string }, { status: ServingStatus }>, callback: grpc.sendUnaryData<{ status: ServingStatus }>) => callback(null, { status }),
});
server.bindAsync(`0.0.0.0:${port}`, grpc.ServerCredentials.createInsecure(), (err) => {
  if (err) {
    console.error(err.message);
    process.exit(1);
  }
  console.log('listening');
});
process.on('SIGTERM', () => server.forceShutdown());

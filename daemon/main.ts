#!/usr/bin/env node
// kubelabd: the daemon. `kubelabd server` runs the control plane (store, API server, scheduler)
// plus the node agent of its own host, like a k3s server.

import os from 'node:os';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_NODE_PORT_RANGE, DEFAULT_SERVICE_CIDR } from './api/service-allocation.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('kubelabd')
    .usage('$0 <command> [options]')
    .command(
      'server',
      'run the control plane and the node agent of this host',
      (y) =>
        y
          .option('data-dir', { type: 'string', default: '/var/lib/kubelab', describe: 'where the store, certificates and kubeconfig live' })
          .option('listen', { type: 'string', default: '127.0.0.1:6443', describe: 'host:port of the HTTPS API (port 0 picks a free one)' })
          .option('node-name', { type: 'string', default: os.hostname(), describe: 'name of this host\'s Node object' })
          .option('docker-host', {
            type: 'string',
            default: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
            describe: 'the Docker Engine to drive (unix:///path or tcp://host:port)',
          })
          .option('pod-subnet', { type: 'string', default: '10.244.0.0/24', describe: 'the subnet this node\'s pods get their IPs from' })
          .option('pod-network', { type: 'string', default: 'kubelab0', describe: 'name of the Docker bridge network for pods' })
          .option('backoff-initial-ms', { type: 'number', default: 10_000, describe: 'first container restart back-off (CrashLoopBackOff)' })
          .option('backoff-max-ms', { type: 'number', default: 300_000, describe: 'longest container restart back-off' })
          .option('service-cidr', { type: 'string', default: DEFAULT_SERVICE_CIDR, describe: 'the range Service ClusterIPs come from (the first one is the kubernetes Service\'s)' })
          .option('node-port-range', { type: 'string', default: DEFAULT_NODE_PORT_RANGE, describe: 'the ports NodePort and LoadBalancer Services open on every node' })
          .option('lb-pool', {
            type: 'string',
            describe: 'LoadBalancer addresses, comma-separated CIDRs, ranges or addresses (e.g. 10.99.0.0/28); none: LoadBalancer Services stay <pending>',
          })
          .strict(),
      async (args) => {
        const server = await startServer({
          dataDir: args['data-dir'],
          listen: args.listen,
          nodeName: args['node-name'],
          dockerHost: args['docker-host'],
          podSubnet: args['pod-subnet'],
          podNetwork: args['pod-network'],
          backoff: { initialMs: args['backoff-initial-ms'], maxMs: args['backoff-max-ms'] },
          serviceCidr: args['service-cidr'],
          nodePortRange: args['node-port-range'],
          lbPool: args['lb-pool'] ? args['lb-pool'].split(',').map((s) => s.trim()).filter(Boolean) : [],
        });
        console.log(`kubelabd: API server listening on ${server.url}`);
        console.log(`kubelabd: node ${args['node-name']} ready`);
        console.log(`kubelabd: admin kubeconfig written to ${server.kubeconfigPath}`);
        console.log(`kubelabd: try  kubelab --kubeconfig ${server.kubeconfigPath} get nodes`);
        const stop = (signal: string) => {
          console.log(`kubelabd: ${signal}, shutting down (pods keep running and are re-adopted at the next start)`);
          server.close().then(
            () => process.exit(0),
            (err: unknown) => {
              console.error('kubelabd: error while shutting down:', err);
              process.exit(1);
            },
          );
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      },
    )
    .demandCommand(1, 'name a command: kubelabd server')
    .strict()
    .help()
    .fail((message, error, y) => {
      if (error) throw error;
      console.error(`error: ${message}\n`);
      console.error(y.help());
      process.exit(1);
    })
    .parseAsync();
}

main().catch((err: unknown) => {
  console.error(`kubelabd: ${err instanceof Error ? err.message : String(err)}`);
  if (process.env.KUBELAB_DEBUG && err instanceof Error) console.error(err.stack);
  process.exit(1);
});

// `kubelab port-forward TYPE/NAME|POD [LOCAL:]REMOTE... [--address 127.0.0.1]`: listen on local
// ports and carry every connection to a port of a pod, as kubectl port-forward does. TYPE/NAME
// may be a workload or a Service: one of its pods is picked as `kubelab logs` picks it, and a
// Service's ports become the pod ports their targetPort names (cli/port-forward-plan.ts). Each
// local connection gets its own WebSocket to the pod (lib/client/port-forward-client.ts). Runs
// until interrupted.

import net from 'node:net';
import type { Argv } from 'yargs';
import type { Service } from '../../lib/api/types.js';
import { forwardConnection } from '../../lib/client/port-forward-client.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { hostPort, listenAddresses, parsePortSpecs, podPortMappings, servicePortMappings, type PortMapping } from '../port-forward-plan.js';
import { resolveType } from '../resource-args.js';
import type { KubelabCommand } from './index.js';
import { attachablePod } from './logs.js';

export interface PortForwardOptions {
  target: string;
  ports: string[];
  address: string[];
}

export const portForwardCommand: KubelabCommand<PortForwardOptions> = {
  command: 'port-forward <target> [ports..]',
  describe: 'Forward local ports to a pod: kubelab port-forward svc/web 8080:80',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'POD or TYPE/NAME (pod/, deploy/, rs/, svc/ ...)' })
      .positional('ports', { type: 'string', array: true, default: [], describe: '[LOCAL:]REMOTE, e.g. 8080:80, :80 (any free local port), 80' })
      .option('address', { type: 'string', array: true, default: ['localhost'], describe: 'addresses to listen on (localhost: 127.0.0.1 and ::1)' }) as unknown as Argv<
      GlobalOptions & PortForwardOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runPortForward(ctx, argv)),
};

/** Listens on `address:local`; resolves with the server, or undefined when the address is not available. */
function listen(address: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer(onConnection);
    server.once('error', () => resolve(undefined));
    server.listen(port, address, () => resolve(server));
  });
}

export async function runPortForward(ctx: CliContext, options: PortForwardOptions): Promise<void> {
  const specs = parsePortSpecs((options.ports ?? []).map(String));
  const pod = await attachablePod(ctx, options.target, 'port-forward to');
  const phase = pod.status?.phase;
  if (phase !== 'Running') throw new CliError(`unable to forward port because pod is not running. Current status=${phase ?? 'Unknown'}`);
  const slash = options.target.indexOf('/');
  const isService = slash > 0 && resolveType(options.target.slice(0, slash)).kind === 'Service';
  const mappings: PortMapping[] = isService
    ? servicePortMappings(specs, await ctx.client.get<Service>('services', ctx.namespace, options.target.slice(slash + 1)), pod)
    : podPortMappings(specs, pod);
  const podName = pod.metadata.name!;

  const servers: net.Server[] = [];
  for (const mapping of mappings) {
    let port = mapping.local;
    let listening = 0;
    for (const address of listenAddresses(options.address ?? ['localhost'])) {
      const server = await listen(address, port, (socket) => {
        ctx.out(`Handling connection for ${port}\n`);
        forwardConnection(ctx.config, { namespace: ctx.namespace, pod: podName, port: mapping.remote }, socket, (message) => ctx.err(`E ${message}\n`)).catch((err: Error) =>
          ctx.err(`E error forwarding port ${mapping.remote} to pod ${podName}: ${err.message}\n`),
        );
      });
      if (!server) continue;
      // `:80` picks a free port on the first address, and then uses the same one on the others.
      port = (server.address() as net.AddressInfo).port;
      servers.push(server);
      listening++;
      ctx.out(`Forwarding from ${hostPort(address, port)} -> ${mapping.remote}\n`);
    }
    if (listening === 0) {
      for (const server of servers) server.close();
      throw new CliError(`unable to listen on port ${mapping.local}: no address of ${(options.address ?? []).join(', ')} is available`);
    }
  }

  // Runs until Ctrl-C (or a TERM from whoever started us).
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      for (const server of servers) server.close();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

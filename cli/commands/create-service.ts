// `kubelab create service clusterip|nodeport|loadbalancer|externalname NAME --tcp=PORT[:TARGET]`:
// the Services kubectl's generators build. Unlike `expose`, nothing is read from a workload: the
// selector is `app=NAME`, the label kubectl's own `create deployment NAME` puts on its pods, so
// `create deployment web` + `create service clusterip web --tcp=80:8080` pair up by name.
// Each --tcp becomes one port named after the flag's value (`80:8080` → `80-8080`).

import type { Argv, CommandModule } from 'yargs';
import type { KubeObject } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { createGenerated, type GeneratorOutputOptions } from '../generated-object.js';
import { generatorOutputFlags } from './generator-flags.js';

export type GeneratedServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface ServiceFlags {
  tcp?: string[];
  clusterip?: string;
  nodePort?: number;
  externalName?: string;
}

/** `80:8080` → port 80, targetPort 8080; `80:http` → a named target port; `80` → 80 to 80. */
export function parseTcpPort(spec: string): { port: number; targetPort: number | string } {
  const [portText, targetText] = spec.split(':', 2) as [string, string | undefined];
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new CliError(`invalid port "${portText}" in --tcp=${spec}: a port is a number from 1 to 65535`);
  if (targetText === undefined || targetText === '') return { port, targetPort: port };
  return { port, targetPort: /^\d+$/.test(targetText) ? Number(targetText) : targetText };
}

/** The Service `kubectl create service TYPE NAME` builds (pure). */
export function serviceFromFlags(type: GeneratedServiceType, name: string, flags: ServiceFlags): KubeObject {
  const tcp = flags.tcp ?? [];
  if (tcp.length === 0 && type !== 'ExternalName' && flags.clusterip !== 'None') throw new CliError('at least one tcp port specifier must be provided');
  if (type === 'ExternalName' && !flags.externalName) throw new CliError('external-name must be specified');
  const ports = tcp.map((spec) => ({
    name: spec.replace(/:/g, '-'),
    protocol: 'TCP',
    ...parseTcpPort(spec),
    ...(flags.nodePort ? { nodePort: flags.nodePort } : {}),
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, creationTimestamp: null, labels: { app: name } },
    spec: {
      ...(ports.length > 0 ? { ports } : {}),
      selector: { app: name },
      type,
      ...(flags.clusterip ? { clusterIP: flags.clusterip } : {}),
      ...(flags.externalName ? { externalName: flags.externalName } : {}),
    },
    status: { loadBalancer: {} },
  } as KubeObject;
}

type ServiceCommandOptions = GeneratorOutputOptions & ServiceFlags & { name: string };

function serviceSubcommand(word: string, type: GeneratedServiceType, describe: string, flags: (y: Argv<GlobalOptions>) => Argv<GlobalOptions>): CommandModule<GlobalOptions, GlobalOptions & ServiceCommandOptions> {
  return {
    command: `${word} <name>`,
    describe,
    builder: (y) => generatorOutputFlags(flags(y.positional('name', { type: 'string', demandOption: true }) as unknown as Argv<GlobalOptions>)) as unknown as Argv<GlobalOptions & ServiceCommandOptions>,
    handler: (argv) => withCliContext(argv, (ctx) => createGenerated(ctx, serviceFromFlags(type, argv.name, argv), argv)),
  };
}

const tcpFlag = (y: Argv<GlobalOptions>) => y.option('tcp', { type: 'string', array: true, describe: 'PORT[:TARGET_PORT] (repeatable)' });

export const createServiceCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: ['service', 'svc'],
  describe: 'Create a Service (clusterip, nodeport, loadbalancer or externalname) selecting pods labelled app=NAME',
  builder: (y) =>
    y
      .command(serviceSubcommand('clusterip', 'ClusterIP', 'Create a ClusterIP Service', (s) => tcpFlag(s).option('clusterip', { type: 'string', describe: 'the address to ask for; None for a headless Service' })))
      .command(serviceSubcommand('nodeport', 'NodePort', 'Create a NodePort Service', (s) => tcpFlag(s).option('node-port', { type: 'number', describe: 'the port on every node (default: allocated)' })))
      .command(serviceSubcommand('loadbalancer', 'LoadBalancer', 'Create a LoadBalancer Service', tcpFlag))
      .command(serviceSubcommand('externalname', 'ExternalName', 'Create an ExternalName Service (a DNS alias)', (s) => tcpFlag(s).option('external-name', { type: 'string', describe: 'the DNS name the Service stands for' })))
      .demandCommand(1, 'You must specify the type of service: clusterip, nodeport, loadbalancer or externalname'),
  handler: () => undefined,
};

// `kubelab lab`: a simulated multi-host lab on this one Linux machine (like kind or k3d, but each
// "host" is a network namespace with its own Docker Engine and kubelabd, not a container). The
// work lives in cli/lab/; this file only maps subcommands and flags onto it. Unlike the other
// commands it needs root and no API server: it builds the machines the API server runs on.

import type { Argv } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { downLab } from '../lab/lab-down.js';
import { healHost, killHost, loadIntoLab, partitionHost, requireHost, requireLab, restartHost } from '../lab/lab-host-actions.js';
import { controlPlaneStatus, formatLabStatus, labStatus } from '../lab/lab-status.js';
import { upLab } from '../lab/lab-up.js';
import { assertRunnable, findScenario, runScenario } from '../lab/scenarios/run-scenario.js';
import { formatScenarioList } from '../lab/scenarios/scenarios.js';
import type { KubelabCommand } from './index.js';

export const DEFAULT_LAB_DIR = '/var/lib/kubelab/lab';

interface LabOptions {
  dir: string;
  nodes: number;
  servers: number;
  image: string[];
  'pod-eviction-timeout': number;
  'node-monitor-grace-period': number;
  'ready-timeout': number;
  node?: string;
  images?: string[];
  name?: string;
}

const say = (line: string) => void process.stdout.write(`${line}\n`);

function nodeCommand(name: string, describe: string, act: (argv: LabOptions) => Promise<void>) {
  return {
    command: `${name} <node>`,
    describe,
    builder: (y: Argv) => y.positional('node', { type: 'string', demandOption: true, describe: 'the lab host: node1, node2, ...' }),
    handler: (argv: unknown) => act(argv as LabOptions),
  };
}

export const labCommand: KubelabCommand<LabOptions> = {
  command: 'lab <command>',
  describe: 'Run a simulated multi-host lab on this machine (needs root)',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('dir', { type: 'string', default: DEFAULT_LAB_DIR, describe: 'where the lab keeps its state, logs and kubeconfig.yaml' })
      .option('ready-timeout', { type: 'number', default: 180, describe: 'seconds up and restart wait for nodes to be Ready' })
      .command({
        command: 'up',
        describe: 'Build the lab: a namespace, Docker Engine and kubelabd per host; node1 is the server (node1..nodeM with --servers M)',
        builder: (c: Argv) =>
          c
            .option('nodes', { type: 'number', default: 3, describe: 'how many hosts' })
            .option('servers', {
              type: 'number',
              default: 1,
              describe: 'how many hosts run a server: 1, or an odd number up to --nodes (each with an etcd member, behind HAProxy on the machine)',
            })
            .option('image', { type: 'string', array: true, default: [] as string[], describe: 'another local image to load into every host (repeatable)' })
            .option('pod-eviction-timeout', { type: 'number', default: 30, describe: 'seconds the pods of an unreachable node wait before they move' })
            .option('node-monitor-grace-period', { type: 'number', default: 20, describe: 'seconds without a heartbeat before a node is NotReady' }),
        handler: async (argv: unknown) => {
          const options = argv as LabOptions;
          try {
            await upLab({
              dir: options.dir,
              nodes: options.nodes,
              servers: options.servers,
              extraImages: options.image,
              timings: { podEvictionTimeoutSeconds: options['pod-eviction-timeout'], nodeMonitorGracePeriodSeconds: options['node-monitor-grace-period'] },
              readyTimeoutMs: options['ready-timeout'] * 1000,
              progress: say,
            });
          } catch (err) {
            if (err instanceof CliError && err.message.startsWith('a lab already exists')) throw err;
            if ((err as Error).message.startsWith('--servers must be')) throw new CliError((err as Error).message, { cause: err });
            throw new CliError(`${(err as Error).message}\nthe half-built lab is left for inspection; remove it with "kubelab lab down --dir ${options.dir}"`, { cause: err });
          }
        },
      })
      .command({
        command: 'status',
        describe: 'Show each host: namespace, link, engine, etcd and kubelabd; with several servers the etcd leader and Lease holders',
        handler: async (argv: unknown) => {
          const state = requireLab((argv as LabOptions).dir);
          process.stdout.write(formatLabStatus(state, await labStatus(state), await controlPlaneStatus(state)));
        },
      })
      .command({
        command: 'load <images..>',
        describe: 'Copy images from this machine\'s Docker Engine into every host\'s engine',
        builder: (c: Argv) => c.positional('images', { type: 'string', array: true, demandOption: true }),
        handler: async (argv: unknown) => {
          const options = argv as LabOptions;
          await loadIntoLab(requireLab(options.dir), options.images ?? [], say);
        },
      })
      .command(nodeCommand('kill', 'Pull the plug on a host: SIGKILL its engine, containers, etcd member and kubelabd', async (argv) => {
        const state = requireLab(argv.dir);
        say(await killHost(state, requireHost(state, argv.node!)));
      }))
      .command(nodeCommand('restart', 'Start a killed host\'s engine, etcd member and kubelabd again', async (argv) => {
        const state = requireLab(argv.dir);
        await restartHost(state, requireHost(state, argv.node!), argv['ready-timeout'] * 1000, say);
      }))
      .command(nodeCommand('partition', 'Cut a host\'s network link (its veth on the bridge goes down)', async (argv) => {
        const state = requireLab(argv.dir);
        say(await partitionHost(requireHost(state, argv.node!)));
      }))
      .command(nodeCommand('heal', 'Restore a partitioned host\'s network link', async (argv) => {
        const state = requireLab(argv.dir);
        say(await healHost(requireHost(state, argv.node!)));
      }))
      .command({
        command: 'scenario <command>',
        describe: 'Scripted fault scenarios on a running lab: list, run NAME',
        builder: (c: Argv) =>
          c
            .command({
              command: 'list',
              describe: 'The scenarios, with what each one does',
              handler: () => void process.stdout.write(formatScenarioList()),
            })
            .command({
              command: 'run <name>',
              describe: 'Run one scenario: narrate it with measured times, check its invariants, exit 1 if one breaks',
              builder: (r: Argv) => r.positional('name', { type: 'string', demandOption: true, describe: 'a name from "kubelab lab scenario list"' }),
              handler: async (argv: unknown) => {
                const options = argv as LabOptions;
                const scenario = findScenario(options.name!);
                assertRunnable(scenario);
                await runScenario(requireLab(options.dir), scenario, { readyTimeoutMs: options['ready-timeout'] * 1000, write: say });
              },
            })
            .demandCommand(1, 'name a scenario command: list or run NAME'),
        handler: () => undefined,
      })
      .command({
        command: 'down',
        describe: 'Remove every namespace, link, engine, process, mount, cgroup and file of the lab',
        handler: async (argv: unknown) => {
          await downLab((argv as LabOptions).dir, say);
        },
      })
      .demandCommand(1, 'name a lab command: up, status, load, kill, partition, heal, restart, scenario or down') as unknown as Argv<GlobalOptions & LabOptions>,
  handler: () => undefined,
};

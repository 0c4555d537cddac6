#!/usr/bin/env node
// kubelabd: the daemon. `kubelabd server` runs the control plane (store, API server, scheduler,
// controllers) plus the node agent of its own host, like a k3s server (`--server URL --token`:
// a further server joining the first on a shared etcd; `--disable-agent`: no node agent);
// `kubelabd agent` runs a worker node that joins a server with its join token.
//
// Logs go to stderr through lib/logger.ts (`--log-format text|json`). What the command prints on
// stdout (the API address, kubeconfig path and join token file of a server that is up) is its
// answer to the person who started it, not a log line: it stays plain text in either format, and
// test and lab tools read it from there. Secrets are never printed: stdout usually ends up in a
// log (journald, a CI log, a lab's log file) readable by more people than the data dir is, so the
// server says where the join token is, and only root reads it there.

import fs from 'node:fs';
import os from 'node:os';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { errorMessage } from '../lib/errors.js';
import { configureLogging, LOG_FORMATS, type LogFormat, logger } from '../lib/logger.js';
import { defaultNodeIP } from './kubelet/node-status.js';
import { startAgent } from './agent.js';
import { serversOfFlags } from '../lib/client/server-endpoints.js';
import { DEFAULT_LISTEN, DNS_DEFAULTS, GOSSIP_DEFAULTS, KUBELET_DEFAULTS, NETWORK_DEFAULTS, JOB_DEFAULTS, HPA_DEFAULTS, NODE_LIFECYCLE_DEFAULTS, PORTS, ETCD_STORE_DEFAULTS } from './config.js';
import { startServer } from './server.js';
import { APISERVER_LEASE_DEFAULTS } from './api/apiserver-identity.js';
import { GOSSIP_KEYRING_ROTATE_PATH } from './api/gossip-keyring.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import { CONTROLLER_NAMES, selectControllers } from './controllers/controller-manager.js';
import { LEADER_ELECTION_DEFAULTS } from '../lib/client/leader-elector.js';
import { rotateEncryptionKey } from './store/rotate-encryption-key.js';
import type { StoreBackend } from './store/open-store.js';
import { restoreSnapshot, saveSnapshot } from './store/store-snapshot.js';

/** The flags every node has, server or agent. */
function nodeFlags<T>(y: Argv<T>, defaultDataDir: string) {
  return y
    .option('data-dir', { type: 'string', default: defaultDataDir, describe: 'where this node keeps its state (store, certificates, credentials, pod volumes)' })
    .option('node-name', { type: 'string', default: os.hostname(), describe: 'name of this host\'s Node object' })
    .option('docker-host', {
      type: 'string',
      default: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      describe: 'the Docker Engine to drive (unix:///path or tcp://host:port)',
    })
    .option('pod-network', { type: 'string', default: 'kubelab0', describe: 'name of the Docker bridge network for pods' })
    .option('cluster-cidr', { type: 'string', default: NETWORK_DEFAULTS.clusterCidr, describe: 'the range every node\'s /24 pod subnet is leased from' })
    .option('gossip-port', { type: 'number', default: PORTS.gossip, describe: 'UDP and TCP port of the gossip membership (same on every node)' })
    .option('kubelet-port', { type: 'number', default: PORTS.kubelet, describe: 'port the kubelet serves logs, exec and port-forward on, for the API server' })
    .option('gossip-probe-interval-ms', { type: 'number', default: GOSSIP_DEFAULTS.probeIntervalMs, describe: 'how often each node probes one other: lower detects failures sooner, with more packets' })
    .option('gossip-suspicion-mult', { type: 'number', default: GOSSIP_DEFAULTS.suspicionMult, describe: 'a suspicion confirmed by others lasts this many probe intervals × log10(nodes) before a silent node is declared dead (unconfirmed, 6 times that): higher means fewer false alarms on a lossy network' })
    .option('gossip-probe-timeout-ms', { type: 'number', default: GOSSIP_DEFAULTS.probeTimeoutMs, describe: 'how long a probe waits for a direct ack before asking others to probe: at most half the probe interval' })
    .option('gossip-retransmit-mult', { type: 'number', default: GOSSIP_DEFAULTS.retransmitMult, describe: 'each piece of news is sent this many times × ceil(log10(nodes + 1)): higher reaches everyone more surely on a lossy network, with bigger packets' })
    .option('gossip-interval-ms', { type: 'number', default: GOSSIP_DEFAULTS.gossipIntervalMs, describe: 'how often queued news (joins, suspicions, deaths) is sent to 3 random nodes besides riding on probes; 0 turns it off' })
    .option('backoff-initial-ms', { type: 'number', default: KUBELET_DEFAULTS.backoff.initialMs, describe: 'first container restart back-off (CrashLoopBackOff)' })
    .option('backoff-max-ms', { type: 'number', default: KUBELET_DEFAULTS.backoff.maxMs, describe: 'longest container restart back-off' })
    .option('upstream-resolv-conf', {
      type: 'string',
      default: DNS_DEFAULTS.upstreamResolvConf,
      describe: 'the resolv.conf whose nameservers the cluster DNS forwards names outside cluster.local to (systemd-resolved\'s stub file is followed to its real one)',
    })
    .option('housekeeping-interval', { type: 'number', default: KUBELET_DEFAULTS.housekeepingIntervalMs / 1000, describe: 'seconds between two readings of every container\'s and the node\'s CPU and memory (kubectl top, the HPA): shorter reacts sooner and costs more CPU' })
    .option('usage-source', { type: 'string', choices: ['cgroup', 'docker-stats'], default: KUBELET_DEFAULTS.usageSource, describe: 'where container usage is read: the kernel\'s cgroup files (cheap), or one Docker stats call per container (for an engine on another machine)' })
    .option('node-cgroup', { type: 'string', describe: 'a cgroup whose usage is this node\'s (a simulated host\'s engine --cgroup-parent); default: the whole machine, from /proc' })
    .option('log-format', { type: 'string', choices: LOG_FORMATS, default: 'text', describe: 'how log lines on stderr are written: text for people, json (one object per line) for log collectors' });
}

/** The node flags as the options startServer and startAgent share. */
function nodeOptions(args: {
  'data-dir': string; 'node-name': string; 'docker-host': string; 'pod-network': string; 'cluster-cidr': string; 'gossip-port': number; 'kubelet-port': number;
  'gossip-probe-interval-ms': number; 'gossip-suspicion-mult': number; 'gossip-probe-timeout-ms': number; 'gossip-interval-ms': number; 'gossip-retransmit-mult': number; 'backoff-initial-ms': number; 'backoff-max-ms': number;
  'upstream-resolv-conf': string;
  'housekeeping-interval': number; 'usage-source': string; 'node-cgroup'?: string;
}) {
  return {
    dataDir: args['data-dir'],
    nodeName: args['node-name'],
    dockerHost: args['docker-host'],
    podNetwork: args['pod-network'],
    clusterCidr: args['cluster-cidr'],
    gossipPort: args['gossip-port'],
    kubeletPort: args['kubelet-port'],
    gossipConfig: {
      probeIntervalMs: args['gossip-probe-interval-ms'],
      probeTimeoutMs: args['gossip-probe-timeout-ms'],
      suspicionMult: args['gossip-suspicion-mult'],
      gossipIntervalMs: args['gossip-interval-ms'],
      retransmitMult: args['gossip-retransmit-mult'],
    },
    backoff: { initialMs: args['backoff-initial-ms'], maxMs: args['backoff-max-ms'] },
    upstreamResolvConf: args['upstream-resolv-conf'],
    usage: {
      housekeepingIntervalMs: Math.round(args['housekeeping-interval'] * 1000),
      usageSource: args['usage-source'] as 'cgroup' | 'docker-stats',
      nodeCgroup: args['node-cgroup'],
    },
  };
}

function readTokenFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new Error(`cannot read the join token from --token-file ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

/** --store and the --etcd-* flags: where the objects live (server and snapshot share them). */
function storeFlags<T>(y: Argv<T>) {
  return y
    .option('store', { type: 'string', choices: ['nedb', 'etcd'], default: 'nedb', describe: 'nedb: the embedded store in <data-dir>/store (one server); etcd: an etcd v3 cluster (--etcd-endpoints), for several servers' })
    .option('etcd-endpoints', { type: 'string', describe: 'etcd client URLs, comma-separated (http://127.0.0.1:2379; https:// with the TLS files)' })
    .option('etcd-cafile', { type: 'string', describe: 'CA certificate that signed etcd\'s serving certificate' })
    .option('etcd-certfile', { type: 'string', describe: 'client certificate for etcd (when etcd requires client certificates)' })
    .option('etcd-keyfile', { type: 'string', describe: 'key of --etcd-certfile' })
    .option('etcd-prefix', { type: 'string', default: ETCD_STORE_DEFAULTS.prefix, describe: 'key prefix of every object in etcd, as kube-apiserver\'s --etcd-prefix' })
    .check((a) => {
      if (a.store === 'etcd' && !a['etcd-endpoints'] && a.action !== 'restore') throw new Error('--store etcd needs --etcd-endpoints URL[,URL...] (for example http://127.0.0.1:2379)');
      if (a.store !== 'etcd' && a['etcd-endpoints']) throw new Error('--etcd-endpoints is only for --store etcd');
      return true;
    });
}

function storeBackend(args: { store: string; 'etcd-endpoints'?: string; 'etcd-cafile'?: string; 'etcd-certfile'?: string; 'etcd-keyfile'?: string; 'etcd-prefix': string }): StoreBackend {
  if (args.store !== 'etcd') return { type: 'nedb' };
  return {
    type: 'etcd',
    endpoints: (args['etcd-endpoints'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    tls: { caFile: args['etcd-cafile'], certFile: args['etcd-certfile'], keyFile: args['etcd-keyfile'] },
    prefix: args['etcd-prefix'],
  };
}

const log = logger('kubelabd');

/** Logging as the flags say, before anything else logs (KUBELAB_DEBUG=1 adds debug lines and stacks). */
function configureLogs(args: { 'log-format': string }): void {
  configureLogging({ format: args['log-format'] as LogFormat, level: process.env.KUBELAB_DEBUG ? 'debug' : 'info' });
}

function onSignals(what: string, close: () => Promise<void>): void {
  const stop = (signal: string) => {
    log.info(`${signal}, shutting down the ${what} (pods keep running and are re-adopted at the next start)`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('error while shutting down', { err, withStack: true });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function main(): Promise<void> {
  await yargs(hideBin(process.argv))
    .scriptName('kubelabd')
    .usage('$0 <command> [options]')
    .command(
      'server',
      'run the control plane and the node agent of this host',
      (y) =>
        storeFlags(nodeFlags(y, '/var/lib/kubelab'))
          .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'host:port of the HTTPS API (port 0 picks a free one)' })
          .option('node-ip', { type: 'string', describe: 'this node\'s address on the network the nodes share; given, the server is ready for agents to join (gossip, routes and the kubelet listen on it)' })
          .option('pod-subnet', { type: 'string', describe: 'a fixed subnet for this node\'s pods, inside --cluster-cidr (default: leased like every node\'s)' })
          .option('tls-san', { type: 'string', array: true, default: [] as string[], describe: 'another name or address the API certificate is valid for (repeatable): every node\'s IP, so the CLI can use any node' })
          .option('service-cidr', { type: 'string', default: NETWORK_DEFAULTS.serviceCidr, describe: 'the range Service ClusterIPs come from (the first one is the kubernetes Service\'s)' })
          .option('node-port-range', { type: 'string', default: NETWORK_DEFAULTS.nodePortRange, describe: 'the ports NodePort and LoadBalancer Services open on every node' })
          .option('lb-pool', {
            type: 'string',
            describe: 'LoadBalancer addresses, comma-separated CIDRs, ranges or addresses (e.g. 192.168.56.240/28); default: the top of --service-cidr (10.111.255.1-10.111.255.254), reachable from this host and its pods',
          })
          .option('node-monitor-grace-period', { type: 'number', default: NODE_LIFECYCLE_DEFAULTS.nodeMonitorGracePeriodMs / 1000, describe: 'seconds a node may go without a heartbeat before it is NotReady (Unknown)' })
          .option('pod-eviction-timeout', { type: 'number', default: NODE_LIFECYCLE_DEFAULTS.podEvictionTimeoutMs / 1000, describe: 'seconds the pods of an unreachable node wait before they are deleted and re-created elsewhere' })
          .option('job-pod-failure-backoff', {
            type: 'number',
            default: JOB_DEFAULTS.podFailureBackoff.initialMs / 1000,
            describe: 'seconds a failed Job pod\'s replacement waits, doubling per further failure up to 6 min (Kubernetes: fixed at 10)',
          })
          .option('hpa-sync-period', { type: 'number', default: HPA_DEFAULTS.syncPeriodMs / 1000, describe: 'seconds between two evaluations of every HorizontalPodAutoscaler (Kubernetes: 15)' })
          .option('hpa-downscale-stabilization', {
            type: 'number',
            default: HPA_DEFAULTS.downscaleStabilizationMs / 1000,
            describe: 'seconds of recommendations a scale down looks back over, taking the highest, for HPAs whose behavior sets none (Kubernetes: 300)',
          })
          .option('hpa-tolerance', { type: 'number', default: HPA_DEFAULTS.tolerance, describe: 'an HPA does not scale while usage/target is within 1 ± this (Kubernetes: 0.1)' })
          .option('leader-elect-lease-duration', {
            type: 'number',
            default: LEADER_ELECTION_DEFAULTS.leaseDurationMs / 1000,
            describe: 'seconds a server waits, after the leader of the scheduler or controller manager last renewed its Lease, before taking over',
          })
          .option('leader-elect-renew-deadline', {
            type: 'number',
            default: LEADER_ELECTION_DEFAULTS.renewDeadlineMs / 1000,
            describe: 'seconds a leader keeps acting while it cannot renew its Lease (shorter than the lease duration)',
          })
          .option('leader-elect-retry-period', { type: 'number', default: LEADER_ELECTION_DEFAULTS.retryPeriodMs / 1000, describe: 'seconds between two attempts to acquire or renew a Lease' })
          .option('server', { type: 'string', describe: 'join the cluster of this server, https://HOST:PORT (with --token or --token-file and --store etcd on the same etcd): its CA, keys and tokens are fetched once into --data-dir' })
          .option('token', { type: 'string', describe: 'with --server: the cluster\'s join token (<data-dir>/join-token of a server of it); prefer --token-file: ps shows a command line' })
          .option('token-file', { type: 'string', describe: 'with --server: a file holding the join token' })
          .option('apiserver-lease-duration', {
            type: 'number',
            default: APISERVER_LEASE_DEFAULTS.leaseDurationMs / 1000,
            describe: 'seconds this server\'s identity Lease (kube-system/kube-apiserver-<id>) lasts unrenewed; renewed every 2/3 of it. A server not renewed for this long leaves default/kubernetes Endpoints',
          })
          .option('disable-agent', { type: 'boolean', default: false, describe: 'run no node agent on this host (no kubelet, proxy, DNS, gossip): the API, scheduler and controllers only (k3s\' flag)' })
          .option('controllers', {
            type: 'string',
            default: '*',
            describe: `controllers to run, comma-separated: * is all, foo enables foo, -foo disables foo (known: ${CONTROLLER_NAMES.join(', ')})`,
          })
          .check((a) => {
            selectControllers([a.controllers]); // an unknown name stops here, before anything starts
            if (a['leader-elect-renew-deadline'] >= a['leader-elect-lease-duration']) {
              throw new Error(`--leader-elect-renew-deadline (${a['leader-elect-renew-deadline']}) must be shorter than --leader-elect-lease-duration (${a['leader-elect-lease-duration']})`);
            }
            if (a['leader-elect-retry-period'] <= 0) throw new Error('--leader-elect-retry-period must be greater than 0');
            if (!(a['apiserver-lease-duration'] >= 1)) throw new Error('--apiserver-lease-duration must be at least 1 (seconds)');
            if (a.server !== undefined) {
              if (!/^https:\/\/[^/]+/.test(a.server)) throw new Error(`--server must be the https:// URL of a server of the cluster, e.g. https://10.0.0.11:6443 (got ${JSON.stringify(a.server)})`);
              if (a.store !== 'etcd') {
                throw new Error('--server: a joining server shares the cluster\'s store, so it needs --store etcd --etcd-endpoints URL[,URL...] (the etcd the other servers use); to add a worker node, run kubelabd agent');
              }
              if (!a.token === !a['token-file']) throw new Error('--server: give the cluster\'s join token with --token or --token-file (one of them)');
            } else if (a.token !== undefined || a['token-file'] !== undefined) {
              throw new Error('--token and --token-file are for joining a cluster, with --server https://HOST:PORT (a first server makes its own token in <data-dir>/join-token)');
            }
            return true;
          })
          .strict(),
      async (args) => {
        configureLogs(args);
        const server = await startServer({
          ...nodeOptions(args),
          store: storeBackend(args),
          listen: args.listen,
          podSubnet: args['pod-subnet'],
          nodeIP: args['node-ip'],
          tlsSans: args['tls-san'],
          join: args.server ? { server: args.server, token: args.token ?? readTokenFile(args['token-file']!) } : undefined,
          disableAgent: args['disable-agent'],
          apiserverLeaseDurationMs: args['apiserver-lease-duration'] * 1000,
          serviceCidr: args['service-cidr'],
          nodePortRange: args['node-port-range'],
          lbPool: args['lb-pool'] ? args['lb-pool'].split(',').map((s) => s.trim()).filter(Boolean) : [],
          nodeMonitorGracePeriodMs: args['node-monitor-grace-period'] * 1000,
          podEvictionTimeoutMs: args['pod-eviction-timeout'] * 1000,
          controllers: [args.controllers],
          jobPodFailureBackoffMs: args['job-pod-failure-backoff'] * 1000,
          leaderElection: {
            leaseDurationMs: args['leader-elect-lease-duration'] * 1000,
            renewDeadlineMs: args['leader-elect-renew-deadline'] * 1000,
            retryPeriodMs: args['leader-elect-retry-period'] * 1000,
          },
          hpa: {
            syncPeriodMs: args['hpa-sync-period'] * 1000,
            downscaleStabilizationMs: args['hpa-downscale-stabilization'] * 1000,
            tolerance: args['hpa-tolerance'],
          },
        });
        console.log(`kubelabd: API server listening on ${server.url}`);
        console.log(args['disable-agent'] ? `kubelabd: no node agent on this host (--disable-agent); server ${args['node-name']} ready` : `kubelabd: node ${args['node-name']} ready`);
        console.log(`kubelabd: admin kubeconfig written to ${server.kubeconfigPath}`);
        console.log(`kubelabd: join token in ${server.joinTokenPath} (readable by root only; agents take it with --token-file)`);
        console.log(`kubelabd: try  kubelab --kubeconfig ${server.kubeconfigPath} get nodes`);
        onSignals('server', () => server.close());
      },
    )
    .command(
      'agent',
      'run a worker node that joins a server',
      (y) =>
        nodeFlags(y, '/var/lib/kubelab-agent')
          .option('server', {
            type: 'string',
            array: true,
            demandOption: true,
            describe: 'the API server\'s URL, e.g. https://192.168.56.11:6443; with several servers, repeat it or separate with commas (the agent also learns them from the default/kubernetes Endpoints)',
          })
          .option('token', { type: 'string', describe: 'the join token, from <server data dir>/join-token (prefer --token-file: ps shows a command line)' })
          .option('token-file', { type: 'string', describe: 'a file holding the join token (kept off the command line, where ps shows it)' })
          .check((a) => {
            if (!a.token === !a['token-file']) throw new Error('give the join token with --token or --token-file (one of them)');
            return true;
          })
          .option('node-ip', { type: 'string', default: defaultNodeIP(), describe: 'this node\'s address on the network the nodes share' })
          .option('api-port', { type: 'number', default: PORTS.api, describe: 'port on --node-ip that forwards to the API server, so the CLI can be pointed at any node' })
          .strict(),
      async (args) => {
        configureLogs(args);
        const agent = await startAgent({
          ...nodeOptions(args),
          servers: serversOfFlags(args.server),
          token: args.token ?? readTokenFile(args['token-file']!),
          nodeIP: args['node-ip'],
          apiPort: args['api-port'],
        });
        console.log(`kubelabd: node ${args['node-name']} joined ${args.server.join(',')}; API forwarded on ${agent.apiAddress}`);
        onSignals('agent', () => agent.close());
      },
    )
    .command(
      'encryption <action>',
      'manage the encryption of Secrets at rest (run on the server\'s host, with the server stopped; the embedded nedb store only)',
      (y) =>
        y
          .positional('action', {
            type: 'string',
            choices: ['rotate-key'],
            describe: 'rotate-key: a new key encrypts every Secret again; the old keys are removed from <data-dir>/encryption-config.yaml',
          })
          .option('data-dir', { type: 'string', default: '/var/lib/kubelab', describe: 'the server\'s data dir' })
          .strict(),
      async (args) => {
        configureLogging({ format: 'text', level: 'warn' });
        const result = await rotateEncryptionKey(args['data-dir']);
        console.log(`kubelabd: key ${result.newKey} now encrypts; ${result.rewritten} stored object(s) rewritten with it`);
        if (result.removedKeys.length > 0) {
          console.log(`kubelabd: removed key(s) ${result.removedKeys.join(', ')}: no stored value uses them (keep the old encryption-config.yaml with any older backup of store/)`);
        }
      },
    )
    .command(
      'snapshot <action> <file>',
      'back up or restore the store: nedb (server stopped) or etcd (etcd\'s own snapshot); like k3s etcd-snapshot',
      (y) =>
        storeFlags(
          y
            .positional('action', { type: 'string', choices: ['save', 'restore'], demandOption: true, describe: 'save: write a snapshot to FILE; restore: put FILE back (nedb) or into a new etcd data dir (etcd)' })
            .positional('file', { type: 'string', demandOption: true, describe: 'the snapshot file' })
            .option('data-dir', { type: 'string', default: '/var/lib/kubelab', describe: 'the server\'s data dir (nedb: its store/ is saved or replaced)' }),
        )
          .option('etcd-data-dir', { type: 'string', describe: 'restore with --store etcd: the NEW etcd data directory to restore into (must not exist)' })
          .option('etcd-name', { type: 'string', describe: 'restore with --store etcd: the member name etcd will be started with (etcd\'s default: default)' })
          .option('initial-cluster', { type: 'string', describe: 'restore with --store etcd: the --initial-cluster etcd will be started with' })
          .option('initial-advertise-peer-urls', { type: 'string', describe: 'restore with --store etcd: the --initial-advertise-peer-urls etcd will be started with' })
          .strict(),
      async (args) => {
        configureLogging({ format: 'text', level: 'warn' });
        const backend = storeBackend(args);
        const result =
          args.action === 'save'
            ? await saveSnapshot(args.file, args['data-dir'], backend)
            : await restoreSnapshot(args.file, args['data-dir'], backend, {
                etcdDataDir: args['etcd-data-dir'] ?? '',
                ...(args['etcd-name'] ? { name: args['etcd-name'] } : {}),
                ...(args['initial-cluster'] ? { initialCluster: args['initial-cluster'] } : {}),
                ...(args['initial-advertise-peer-urls'] ? { initialAdvertisePeerUrls: args['initial-advertise-peer-urls'] } : {}),
              });
        console.log(`kubelabd: snapshot ${args.action === 'save' ? 'saved to' : 'restored from'} ${result.file} (${result.bytes} bytes): ${result.note}`);
      },
    )
    .command(
      'rotate-gossip-key',
      'add a new random gossip key: nodes fetch it, every member signs with it after the activation delay, the old key is accepted until the next rotation',
      (y) =>
        y
          .option('kubeconfig', { type: 'string', default: '/var/lib/kubelab/kubeconfig.yaml', describe: 'the admin kubeconfig the server wrote (<data-dir>/kubeconfig.yaml)' })
          .strict(),
      async (args) => {
        const client = new RestClient(loadClientConfig({ kubeconfig: args.kubeconfig }), { userAgent: 'kubelabd-rotate-gossip-key' });
        try {
          const ring = await client.request<{ keys: { addedAt: string }[]; activationDelaySeconds: number }>('POST', GOSSIP_KEYRING_ROTATE_PATH);
          const signsFrom = new Date(Date.parse(ring.keys[0]!.addedAt) + ring.activationDelaySeconds * 1000).toISOString();
          console.log(`kubelabd: new gossip key added; every node signs with it from ${signsFrom}; the previous key is accepted until the next rotation`);
        } finally {
          client.close();
        }
      },
    )
    .demandCommand(1, 'name a command: kubelabd server, kubelabd agent, kubelabd encryption, kubelabd snapshot or kubelabd rotate-gossip-key')
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
  log.error('exiting', { err, withStack: Boolean(process.env.KUBELAB_DEBUG) });
  process.exit(1);
});

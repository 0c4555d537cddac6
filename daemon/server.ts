// Wires the parts of `kubelabd server` together: store → registry → API server, and the
// in-process components that talk to the registry through a LocalClient exactly as a remote
// agent would through HTTPS (scheduler, controllers, kubelet, service proxy).
//
// Nothing here decides anything; every component is started, and stopped, through the same
// run(signal) pattern, and the order of start-up is the order data flows in.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { LocalClient } from './api/local-client.js';
import { ResourceRegistry } from './api/resource-registry.js';
import { Authenticator } from './api/auth.js';
import { buildKubeconfig, ensurePki, writeKubeconfig } from './api/pki.js';
import { createApiApp, startApiServer } from './api/server.js';
import { createUpgradeHandler } from './api/streaming/upgrade-handler.js';
import { ensureKubernetesService } from './api/kubernetes-service.js';
import { ServiceAllocation } from './api/service-allocation.js';
import { allocatingServiceStrategy } from './api/strategies/service-strategy.js';
import { startControllers } from './controllers/controller-manager.js';
import { EventRecorder } from './events/event-recorder.js';
import { Kubelet } from './kubelet/kubelet.js';
import { defaultNodeIP } from './kubelet/node-status.js';
import { createNodeProxy } from './node-proxy.js';
import { startClusterDns } from './cluster-dns.js';
import { DockerRuntime } from './runtime/docker-runtime.js';
import { Scheduler } from './scheduler/scheduler.js';
import { NedbObjectStore } from './store/nedb-store.js';
import { systemClock } from '../lib/clock.js';

export interface ServerOptions {
  dataDir: string;
  listen: string;
  nodeName: string;
  dockerHost: string;
  podSubnet: string;
  podNetwork: string;
  backoff: { initialMs: number; maxMs: number };
  /** --service-cidr: where ClusterIPs come from (Kubernetes' default 10.96.0.0/12). */
  serviceCidr?: string;
  /** --node-port-range, e.g. `30000-32767`. */
  nodePortRange?: string;
  /** --lb-pool: LoadBalancer addresses (CIDRs, ranges `a-b` or addresses); none: LoadBalancers stay <pending>. */
  lbPool?: string[];
}

export interface RunningServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  close(): Promise<void>;
}

/** The first usable address of a subnet: the bridge's gateway (10.244.0.0/24 → 10.244.0.1). */
function gatewayOf(subnet: string): string {
  const [network] = ipaddr.parseCIDR(subnet);
  const bytes = network.toByteArray();
  bytes[bytes.length - 1] += 1;
  return ipaddr.fromByteArray(bytes).toString();
}

function hostAddresses(): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4') ips.add(a.address);
  }
  return [...ips];
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o700 });

  const runtime = new DockerRuntime({ dockerHost: options.dockerHost });
  try {
    await runtime.info();
  } catch (err) {
    throw new Error(
      `cannot reach the Docker Engine at ${options.dockerHost}: ${err instanceof Error ? err.message : String(err)}; ` +
        'start it (scripts/setup.sh does) or pass --docker-host',
      { cause: err },
    );
  }

  const store = new NedbObjectStore({ dataDir: path.join(options.dataDir, 'store') });
  await store.open();
  // The Service pools are rebuilt from the stored Services before the registry takes a write.
  const allocation = new ServiceAllocation({ serviceCidr: options.serviceCidr, nodePortRange: options.nodePortRange, lbPool: options.lbPool });
  const detachAllocation = await allocation.attach(store);
  const registry = new ResourceRegistry({ store, strategies: { services: allocatingServiceStrategy(allocation) } });
  await registry.ensureSystemNamespaces();

  const pki = await ensurePki(options.dataDir, { hostnames: ['localhost', os.hostname()], ips: hostAddresses() });
  const authenticator = new Authenticator([{ token: pki.adminToken, user: 'admin' }]);

  await runtime.ensureNetwork(options.podNetwork, options.podSubnet, gatewayOf(options.podSubnet));

  const client = new LocalClient(registry);
  const abort = new AbortController();
  const nodeIP = defaultNodeIP();
  const clusterDns = await startClusterDns({ client, host: gatewayOf(options.podSubnet) });
  const kubelet = new Kubelet({
    nodeName: options.nodeName,
    client,
    runtime,
    recorder: new EventRecorder(client, { component: 'kubelet', host: options.nodeName }, systemClock),
    clock: systemClock,
    dataDir: options.dataDir,
    role: 'server',
    networkName: options.podNetwork,
    backoff: options.backoff,
    nodeIP,
    clusterDns: clusterDns.config,
  });
  const scheduler = new Scheduler({
    client,
    recorder: new EventRecorder(client, { component: 'default-scheduler' }, systemClock),
    clock: systemClock,
  });

  const proxier = await createNodeProxy({ client, dataDir: options.dataDir, nodeAddresses: [nodeIP] });

  const app = createApiApp({ registry, authenticator, podStreams: kubelet.streams, debug: { '/debug/proxy': () => proxier.describe() } });
  const api = await startApiServer({
    app,
    listen: options.listen,
    tls: { key: pki.serverKeyPem, cert: pki.serverCertPem },
    onUpgrade: createUpgradeHandler({
      registry,
      podStreams: kubelet.streams,
      authenticate: (headers) => authenticator.authenticate(headers),
    }),
  });

  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const urlHost = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host;
  const url = `https://${urlHost}:${api.port}`;
  const kubeconfigPath = path.join(options.dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfigPath, buildKubeconfig({ server: url, caCertPem: pki.caCertPem, token: pki.adminToken }));

  await ensureKubernetesService(client, { clusterIP: allocation.kubernetesServiceIP, apiAddress: urlHost, apiPort: api.port });

  const controllers = startControllers({
    client,
    clock: systemClock,
    recorderFor: (component) => new EventRecorder(client, { component }, systemClock),
    signal: abort.signal,
  });
  const loops = [kubelet.run(abort.signal), scheduler.run(abort.signal), controllers, proxier.run(abort.signal), clusterDns.run(abort.signal)].map((p) =>
    p.catch((err: unknown) => {
      if (!abort.signal.aborted) console.error('kubelabd: a component stopped with an error:', err);
    }),
  );

  return {
    url,
    port: api.port,
    kubeconfigPath,
    async close() {
      abort.abort();
      await api.close();
      await Promise.all(loops); // the proxier's loop ends after it has taken its addresses off lo
      detachAllocation();
      await store.close();
    },
  };
}

// Wires the parts of `kubelabd server` together: store → registry → controllers → this host's
// node agent → API server. The scheduler, the controllers and the node agent (kubelet, service
// proxy, DNS, gossip, routes) talk to the registry through a LocalClient exactly as a remote
// agent does through HTTPS.
//
// Nothing here decides anything; every component is started, and stopped, through the same
// run(signal) pattern, and the order of start-up is the order data flows in.

import os from 'node:os';
import path from 'node:path';
import type { KubeObject, Node, Pod } from '../lib/api/types.js';
import type { ServiceAccount } from '../lib/api/service-account-types.js';
import { isNotFound } from '../lib/errors.js';
import { admitPod } from './api/service-account-admission.js';
import { internalContext } from './api/registry.js';
import { SharedInformerFactory } from '../lib/client/shared-informer-factory.js';
import { systemClock } from '../lib/clock.js';
import { logger } from '../lib/logger.js';
import { defaultLoadBalancerPool } from '../lib/net/address-pool.js';
import { DeferredMembershipView, gossipMembershipView } from '../network/gossip/membership-view.js';
import type { GossipConfig } from '../network/gossip/gossip-config.js';
import { Authenticator } from './api/auth.js';
import { ClientCertificateAuthenticator } from './api/client-certificate-authenticator.js';
import { NodeAuthorizer } from './api/node-authorizer.js';
import { AuthorizerChain, RbacAuthorizer } from './api/rbac-authorizer.js';
import { ensureBootstrapPolicy } from './rbac/ensure-bootstrap-policy.js';
import { RbacPolicyCache } from './rbac/rbac-policy-cache.js';
import { NodeTokenCache } from './api/node-credentials.js';
import { ServiceAccountTokenAuthenticator } from './api/service-account-authenticator.js';
import { ServiceAccountTokenSigner } from './api/service-account-token.js';
import { TokenRequests } from './api/token-request.js';
import { ensureServiceAccountKey } from './pki/service-account-key.js';
import { ensureJoinToken, JOIN_TOKEN_FILE } from './pki/join-token.js';
import { GossipKeyStore } from './pki/gossip-keys.js';
import { ensureKubernetesService, KUBERNETES_SERVICE_NAMES } from './api/kubernetes-service.js';
import { LocalClient } from './api/local-client.js';
import { ApiserverIdentity, refuseNodeNameClash } from './api/apiserver-identity.js';
import { NodeRoutedPodStreams } from './api/node-routed-pod-streams.js';
import { KubeletClient } from './api/kubelet-client.js';
import { localNodeViewsSource } from './api/node-views-routes.js';
import { NodeUsageReports } from './api/metrics/node-usage-reports.js';
import { setWorkQueueMetricsProvider } from '../lib/work-queue.js';
import { ControlPlaneMetrics } from './metrics/control-plane-metrics.js';
import { NodeAgentMetrics } from './metrics/node-agent-metrics.js';
import { buildKubeconfig, createKubeletCertificate, ensurePki, splitTlsSans, writeKubeconfig } from './pki/pki.js';
import { NAME_SUFFIX_ALPHABET, ResourceRegistry } from './api/resource-registry.js';
import { createApiApp, startApiServer } from './api/server.js';
import { ServiceAllocation } from './api/service-allocation.js';
import { allocatingServiceStrategy } from './api/strategies/service-strategy.js';
import { createUpgradeHandler } from './api/streaming/upgrade-handler.js';
import { WebUi } from './api/ui/ui-router.js';
import { API_SERVER_DEFAULTS, JOB_DEFAULTS, NETWORK_DEFAULTS, PORTS } from './config.js';
import { startControllers } from './controllers/controller-manager.js';
import { ensureDefaultStorageClass } from './storage/default-storage-class.js';
import { EventRecorder } from './events/event-recorder.js';
import { defaultNodeIP } from './kubelet/node-status.js';
import { KUBELET_USAGE_FLAGS } from './config.js';
import { usageSources, type UsageFlags } from './kubelet/usage/usage-sources.js';
import { connectRuntime, gossipSeedsOfNodes, internalIPs, startNodeAgent } from './node-agent.js';
import { Scheduler } from './scheduler/scheduler.js';
import { LeaderElector, type LeaderElectionTimings } from '../lib/client/leader-elector.js';
import { serverInstanceId } from './server-instance-id.js';
import { ensureJoinedServerMaterial, refuseSecondFirstServer } from './server-join.js';
import { ROOT_CA_CONFIG_MAP } from './controllers/serviceaccount/root-ca-cert-publisher.js';
import { ensurePrivateDirectory } from './private-files.js';
import { openStore, type StoreBackend } from './store/open-store.js';
import { ApiResourceMetricsClient } from './controllers/podautoscaler/resource-metrics-client.js';
import { RestClient } from '../lib/client/rest-client.js';
import { loadClientConfig } from '../lib/client/kubeconfig.js';

export interface ServerOptions {
  dataDir: string;
  /** --store: the embedded nedb store (default) or etcd (--etcd-endpoints, TLS files). */
  store?: StoreBackend;
  listen: string;
  nodeName: string;
  dockerHost: string;
  /** A fixed subnet for this node's pods; absent: leased from the cluster CIDR like any node's. */
  podSubnet?: string;
  podNetwork: string;
  backoff: { initialMs: number; maxMs: number };
  /** --upstream-resolv-conf: the resolvers the cluster DNS forwards other names to (default /etc/resolv.conf). */
  upstreamResolvConf?: string;
  /** --service-cidr: where ClusterIPs come from (Kubernetes' default 10.96.0.0/12). */
  serviceCidr?: string;
  /** --node-port-range, e.g. `30000-32767`. */
  nodePortRange?: string;
  /** --lb-pool: LoadBalancer addresses (CIDRs, ranges `a-b` or addresses); none: the top of the service CIDR (defaultLoadBalancerPool). */
  lbPool?: string[];
  /** --cluster-cidr: every node's pod subnet is leased from it. */
  clusterCidr: string;
  /**
   * --node-ip: this node's InternalIP. Given, the server is the first host of a multi-host
   * cluster: gossip, host-gw routes and the kubelet's stream server listen on it. Absent: a
   * single-node cluster, none of those listen anywhere.
   */
  nodeIP?: string;
  /** --tls-san: more names and addresses the API certificate is valid for (every node's IP, so any node's forwarder can be dialled). */
  tlsSans?: string[];
  gossipPort?: number;
  kubeletPort?: number;
  gossipConfig?: Partial<GossipConfig>;
  /** Node lifecycle: how long a node may stay silent, and how long its pods wait for it, in ms. */
  nodeMonitorGracePeriodMs?: number;
  podEvictionTimeoutMs?: number;
  /** Which controllers run (`--controllers`: `*`, `name`, `-name`); all by default. */
  controllers?: string[];
  /** `--job-pod-failure-backoff`: the first re-create delay after a Job's pod fails, in ms (doubling, capped at 6 min). */
  jobPodFailureBackoffMs?: number;
  /** `--hpa-sync-period`, `--hpa-downscale-stabilization` (ms) and `--hpa-tolerance`. */
  hpa?: { syncPeriodMs?: number; downscaleStabilizationMs?: number; tolerance?: number };
  /** --leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period (LEADER_ELECTION_DEFAULTS without them). */
  leaderElection?: LeaderElectionTimings;
  /** --housekeeping-interval, --usage-source, --node-cgroup: how the kubelet samples usage (defaults in KUBELET_DEFAULTS). */
  usage?: Partial<Omit<UsageFlags, 'dockerHost'>>;
  /**
   * --server and --token: join the cluster of that server (its CA, service account key,
   * encryption keys, admin token, gossip keys and join token; daemon/server-join.ts). Needs
   * --store etcd: a joined server shares the store.
   */
  join?: { server: string; token: string };
  /** --disable-agent (k3s' flag): no node agent on this host (no kubelet, proxy, DNS, gossip, routes); the API, scheduler and controllers only. */
  disableAgent?: boolean;
  /** --apiserver-lease-duration: how long this server's identity Lease lasts unrenewed (renewed every 2/3 of it); APISERVER_LEASE_DEFAULTS without it. */
  apiserverLeaseDurationMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  joinToken: string;
  /** Where the join token is kept (mode 0600): what the server prints, never the token itself. */
  joinTokenPath: string;
  close(): Promise<void>;
}

function hostAddresses(): string[] {
  const ips = new Set<string>(['127.0.0.1']);
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4') ips.add(a.address);
  }
  return [...ips];
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = logger('kubelabd');
  if (options.join && options.store?.type !== 'etcd') {
    throw new Error(
      `--server ${options.join.server}: a server joins a cluster by sharing its store, so it needs --store etcd --etcd-endpoints URL (the etcd the other servers use); ` +
        'to add a worker node instead, run kubelabd agent --server URL --token-file FILE',
    );
  }
  await ensurePrivateDirectory(options.dataDir);
  // A joining server takes the cluster's shared material before anything below would make its own.
  if (options.join) {
    const { fetched } = await ensureJoinedServerMaterial({ dataDir: options.dataDir, ...options.join });
    log.info(fetched ? `joined the cluster of ${options.join.server}: its CA, keys and tokens are in ${options.dataDir}` : `the cluster's shared material is already in ${options.dataDir}`);
  }
  const runtime = options.disableAgent ? undefined : await connectRuntime(options.dockerHost);

  // Secrets are encrypted at rest with the key in <dataDir>/encryption-config.yaml (made at first start), on either backend (open-store.ts).
  const store = await openStore(options.dataDir, options.store);
  // The Service pools are rebuilt from the stored Services before the registry takes a write.
  const serviceCidr = options.serviceCidr ?? NETWORK_DEFAULTS.serviceCidr;
  // LoadBalancers work out of the box: without --lb-pool, from the top of the service CIDR (see defaultLoadBalancerPool).
  const lbPool = options.lbPool?.length ? options.lbPool : defaultLoadBalancerPool(serviceCidr);
  const allocation = new ServiceAllocation({ serviceCidr, nodePortRange: options.nodePortRange, lbPool });
  logger('kubelabd').info(`LoadBalancer addresses come from ${lbPool.join(', ') || 'nowhere (the service CIDR is too small for a default pool; pass --lb-pool)'}${options.lbPool?.length ? '' : ' (the default pool; --lb-pool sets another)'}`);
  const detachAllocation = await allocation.attach(store);
  // The first row of `kubelab trace pod`: when the API stored the pod, to the millisecond (an
  // Event's eventTime; creationTimestamp has whole seconds). kube-apiserver records no such event.
  let apiRecorder: EventRecorder | undefined;
  const onCreated = (resource: string, created: KubeObject, acceptedAt: Date) => {
    if (resource === 'pods') apiRecorder?.record(created, 'Normal', 'Accepted', `Pod accepted and stored by the API server (creationTimestamp ${created.metadata.creationTimestamp})`, { at: acceptedAt });
  };
  // Pods run as a ServiceAccount that must exist, and get its token mounted (service-account-admission.ts).
  let registryRef: ResourceRegistry | undefined;
  const admitCreate = async (resource: string, obj: KubeObject) => {
    if (resource !== 'pods') return;
    await admitPod(obj as Pod, {
      clock: systemClock,
      suffix: () => Array.from({ length: 5 }, () => NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)]).join(''),
      getServiceAccount: (namespace, name) =>
        registryRef!.get('serviceaccounts', namespace, name, internalContext()).then(
          (account) => account as ServiceAccount,
          (err: unknown) => {
            if (isNotFound(err)) return undefined;
            throw err;
          },
        ),
    });
  };
  const registry = new ResourceRegistry({ store, strategies: { services: allocatingServiceStrategy(allocation) }, onCreated, admitCreate });
  registryRef = registry;
  if (options.store?.type === 'etcd' && !options.join) {
    const endpoints = options.store.endpoints;
    await refuseSecondFirstServer({
      dataDir: options.dataDir,
      endpoints,
      storeHoldsCluster: () => registry.get('configmaps', 'kube-system', ROOT_CA_CONFIG_MAP, internalContext()).then(() => true, (err: unknown) => (isNotFound(err) ? false : Promise.reject(err))),
    }).catch(async (err: unknown) => {
      await store.close();
      throw err;
    });
  }
  await registry.ensureSystemNamespaces();
  await ensureDefaultStorageClass(registry);
  // The default roles and bindings (cluster-admin for system:masters, view, edit, admin, ...).
  await ensureBootstrapPolicy(registry);

  const sans = splitTlsSans(options.tlsSans ?? []);
  // Pods reach the API through the `kubernetes` Service (its ClusterIP, kubernetes.default.svc):
  // in-cluster clients check the certificate against those names.
  const pki = await ensurePki(options.dataDir, {
    hostnames: ['localhost', os.hostname(), ...KUBERNETES_SERVICE_NAMES, ...sans.hostnames],
    ips: [...new Set([...hostAddresses(), ...(options.nodeIP ? [options.nodeIP] : []), allocation.kubernetesServiceIP, ...sans.ips])],
  });
  const joinToken = await ensureJoinToken(options.dataDir, pki.caCertPem);
  // The gossip keys are the cluster's own secret (not derived from the join token), handed to nodes after they authenticate.
  const gossipKeys = await GossipKeyStore.open(options.dataDir);
  // ... kept in the store, so that every server hands nodes the same ring, also after a rotation.
  await gossipKeys.shareThrough(registry);
  // Nodes authenticate with the tokens they were issued at join, and may only touch what is theirs.
  const nodeTokens = NodeTokenCache.watch(registry);
  // Service account tokens are JWTs signed with the key kept in <dataDir>/pki/sa.key.
  const tokenSigner = new ServiceAccountTokenSigner(await ensureServiceAccountKey(options.dataDir), systemClock);
  const tokenRequests = new TokenRequests(registry, tokenSigner);
  // Users: the admin token, nodes' tokens, service account tokens, and client certificates of the cluster CA (`kubelab create user`).
  const authenticator = new Authenticator(
    [{ token: pki.adminToken, user: 'admin' }],
    [nodeTokens, ServiceAccountTokenAuthenticator.forRegistry(tokenSigner, registry)],
    new ClientCertificateAuthenticator(pki.caCertPem),
  );
  // Node authorizer for nodes, then RBAC for everyone (--authorization-mode=Node,RBAC).
  const rbacPolicy = RbacPolicyCache.watch(registry);
  const authorizer = new AuthorizerChain(new NodeAuthorizer(registry), new RbacAuthorizer(rbacPolicy));

  // Prometheus: the control plane's registry (every work queue of this process reports to it) and this host's node agent's.
  const controlPlaneMetrics = new ControlPlaneMetrics();
  setWorkQueueMetricsProvider(controlPlaneMetrics.workQueues);
  const nodeMetrics = new NodeAgentMetrics({ processMetrics: false });

  const client = new LocalClient(registry);
  apiRecorder = new EventRecorder(client, { component: 'kube-apiserver', host: options.nodeName }, systemClock);
  /** This server's own API over HTTPS, as the admin: what the HPA reads metrics.k8s.io through. */
  let selfClient: RestClient | undefined;
  const abort = new AbortController();
  const multiHost = options.nodeIP !== undefined;
  const nodeIP = options.nodeIP ?? defaultNodeIP();

  // The controllers (the IPAM controller among them) run before this host's node agent starts:
  // the agent waits for the subnet the IPAM controller leases it.
  // Gossip starts with this host's node agent, after the controllers: they get a view bound later.
  const membership = new DeferredMembershipView();
  // One watch per (resource, options) for the whole process: controllers, scheduler, kubelet, proxy and DNS share them.
  const informers = new SharedInformerFactory({ client, clock: systemClock, onError: (resource, err) => log.error(`watching ${resource}`, { err }) });
  // Leader election (issue 17): every server runs a controller manager and a scheduler, and each
  // acts only while it holds its Lease in kube-system. The identity is this node's name and an id
  // kept in the data dir, so a server that crashed and came back renews its own Lease at once
  // instead of waiting out the lease duration. Each term of leadership gets informers of its
  // own, stopped with it: a server that loses a Lease keeps no watch or handler of what it stopped.
  const instanceId = await serverInstanceId(options.dataDir);
  const identity = `${options.nodeName}_${instanceId}`;
  // Node names are distinct per server host: a second live server under this name is refused before it starts anything.
  await refuseNodeNameClash(client, systemClock, options.nodeName, instanceId).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const elect = (name: string, lead: (signal: AbortSignal) => Promise<void>): Promise<void> =>
    new LeaderElector({ client, clock: systemClock, namespace: 'kube-system', name, identity, timings: options.leaderElection, log }).run(abort.signal, lead);
  const termInformers = (): SharedInformerFactory =>
    new SharedInformerFactory({ client, clock: systemClock, onError: (resource, err) => log.error(`watching ${resource}`, { err }) });
  const controllers = elect('kube-controller-manager', (signal) => startControllers({
    client,
    clock: systemClock,
    informers: termInformers(),
    controllers: options.controllers,
    recorderFor: (component) => new EventRecorder(client, { component }, systemClock),
    signal,
    clusterCidr: options.clusterCidr,
    lbPool,
    caCertPem: pki.caCertPem,
    membership,
    nodeLifecycle: { nodeMonitorGracePeriodMs: options.nodeMonitorGracePeriodMs, podEvictionTimeoutMs: options.podEvictionTimeoutMs },
    jobPodFailureBackoff: options.jobPodFailureBackoffMs === undefined ? undefined : { ...JOB_DEFAULTS.podFailureBackoff, initialMs: options.jobPodFailureBackoffMs },
    // The HPA reads PodMetrics over HTTPS from this server (bound once it listens, below).
    hpa: { ...options.hpa, metrics: new ApiResourceMetricsClient(() => selfClient) },
  }));

  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const urlHost = host === '0.0.0.0' || host === '' ? (multiHost ? nodeIP : '127.0.0.1') : host;
  const gossipPort = options.gossipPort ?? PORTS.gossip;
  // This host's kubelet serves a certificate of the cluster CA as every joined node's does (made
  // here at each start: the server does not join).
  const ownKubeletCert = multiHost && runtime ? createKubeletCertificate({ certPem: pki.caCertPem, keyPem: pki.caKeyPem }, options.nodeName, [nodeIP]) : undefined;
  // --disable-agent: no node here; every pod is on another node, reached through its kubelet.
  const agent = !runtime ? undefined : await startNodeAgent({
    client,
    runtime,
    clock: systemClock,
    nodeName: options.nodeName,
    nodeIP,
    role: 'server',
    dataDir: options.dataDir,
    tokens: { createToken: (namespace, name, request) => tokenRequests.create(namespace, name, request as unknown as Record<string, unknown>, internalContext()) },
    podNetwork: options.podNetwork,
    podSubnet: options.podSubnet,
    clusterCidr: options.clusterCidr,
    backoff: options.backoff,
    upstreamResolvConf: options.upstreamResolvConf,
    kubeletServer: ownKubeletCert
      ? { port: options.kubeletPort ?? PORTS.kubelet, tls: { certPem: ownKubeletCert.certPem, keyPem: ownKubeletCert.keyPem, caPem: pki.caCertPem } }
      : undefined,
    membership: multiHost
      ? {
          port: gossipPort,
          keyring: gossipKeys.keyring,
          seeds: () => gossipSeedsOfNodes(client, options.nodeName, gossipPort),
          apiAddress: options.listen.replace(/^0\.0\.0\.0:/, `${nodeIP}:`),
          config: options.gossipConfig,
        }
      : undefined,
    log,
    informers,
    usage: usageSources({ ...KUBELET_USAGE_FLAGS, ...options.usage, dockerHost: options.dockerHost }),
    metrics: nodeMetrics,
  });
  if (agent?.gossip) membership.bind(gossipMembershipView(agent.gossip));

  const podStreams = new NodeRoutedPodStreams({
    // --disable-agent: no node is local; every pod's streams come from its node's kubelet.
    localNodeName: agent ? options.nodeName : undefined,
    local: agent?.kubelet.streams,
    tls: { caPem: pki.caCertPem, certPem: pki.kubeletClientCertPem, keyPem: pki.kubeletClientKeyPem },
    nodeAddress: async (nodeName) => kubeletAddressOf(await client.get<Node>('nodes', undefined, nodeName)),
  });

  const kubeletTls = { caPem: pki.caCertPem, certPem: pki.kubeletClientCertPem, keyPem: pki.kubeletClientKeyPem };
  const usageReports = new NodeUsageReports({
    localNodeName: agent ? options.nodeName : undefined,
    local: agent ? () => agent.usage.latest() : undefined,
    remote: async (nodeName) => {
      const address = kubeletAddressOf(await client.get<Node>('nodes', undefined, nodeName));
      return new KubeletClient({ nodeName, ...address, tls: kubeletTls, dialTimeoutMs: API_SERVER_DEFAULTS.metricsFetchTimeoutMs }).usage();
    },
  });

  const scheduler = elect('kube-scheduler', (signal) =>
    new Scheduler({
      client,
      recorder: new EventRecorder(client, { component: 'default-scheduler' }, systemClock),
      clock: systemClock,
      informers: termInformers(),
      onAttempt: controlPlaneMetrics.onSchedulingAttempt,
    }).run(signal),
  );

  const app = createApiApp({
    registry,
    authenticator,
    authorizer,
    podStreams,
    serviceAccountTokens: { requests: tokenRequests, signer: tokenSigner },
    join: { caCertPem: pki.caCertPem, caKeyPem: pki.caKeyPem, joinToken },
    serverBootstrap: { dataDir: options.dataDir, joinToken, storeType: options.store?.type ?? 'nedb' },
    gossipKeys,
    usageReports,
    prometheus: {
      controlPlane: controlPlaneMetrics.registry,
      countRequests: controlPlaneMetrics.countRequests,
      nodeMetrics: async (nodeName) => {
        if (agent && nodeName === options.nodeName) return nodeMetrics.registry.metrics();
        const address = kubeletAddressOf(await client.get<Node>('nodes', undefined, nodeName));
        return new KubeletClient({ nodeName, ...address, tls: kubeletTls }).metrics();
      },
    },
    webUi: new WebUi({ registry, clock: systemClock }),
    debug: {
      '/debug/proxy': () => agent?.proxier.describe() ?? { disabled: 'this server runs no node agent (--disable-agent)' },
      '/debug/gossip': () => ({ members: agent?.gossip?.members() ?? [], rejected: agent?.gossip?.codec.rejected ?? {} }),
    },
    nodeViews: {
      nodeViews: async (nodeName) => {
        const node = await client.get<Node>('nodes', undefined, nodeName);
        if (agent && nodeName === options.nodeName) return localNodeViewsSource(agent.views);
        return new KubeletClient({ nodeName, ...kubeletAddressOf(node), tls: kubeletTls });
      },
    },
  });
  const api = await startApiServer({
    app,
    listen: options.listen,
    tls: { key: pki.serverKeyPem, cert: pki.serverCertPem, clientCa: pki.caCertPem },
    onUpgrade: createUpgradeHandler({
      registry,
      podStreams,
      authenticate: (headers, clientCertificate) => authenticator.authenticateUser(headers, clientCertificate),
      authorizer,
    }),
  });

  const url = `https://${urlHost}:${api.port}`;
  const kubeconfigPath = path.join(options.dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfigPath, buildKubeconfig({ server: url, caCertPem: pki.caCertPem, token: pki.adminToken }));
  selfClient = new RestClient(loadClientConfig({ kubeconfig: kubeconfigPath }));

  await ensureKubernetesService(client, { clusterIP: allocation.kubernetesServiceIP, apiPort: api.port });
  // This server's identity Lease, and default/kubernetes Endpoints = every server whose Lease is
  // live (several servers agree on it); the first pass before the server says it is ready.
  const apiserverIdentity = new ApiserverIdentity({
    client,
    clock: systemClock,
    id: instanceId,
    nodeName: options.nodeName,
    address: `${urlHost}:${api.port}`,
    leaseDurationMs: options.apiserverLeaseDurationMs,
    log,
  });
  await apiserverIdentity.reconcileOnce();
  const identityLoop = apiserverIdentity.run(abort.signal);

  const loops = [...(agent ? [agent.run(abort.signal)] : []), scheduler, controllers, identityLoop].map((p) =>
    p.catch((err: unknown) => {
      if (!abort.signal.aborted) log.error('a component stopped with an error', { err, withStack: true });
    }),
  );

  return {
    url,
    port: api.port,
    kubeconfigPath,
    joinToken,
    joinTokenPath: path.join(options.dataDir, JOIN_TOKEN_FILE),
    async close() {
      abort.abort();
      // Out of the kubernetes Endpoints before the listener closes: clients move to another server now.
      await identityLoop.catch(() => undefined);
      await apiserverIdentity.withdraw().catch((err: unknown) => log.warn('removing this API server from the kubernetes Endpoints', { err }));
      selfClient?.close();
      await api.close();
      // The proxier's loop ends after it has taken its addresses off lo; the kubelet's stream server closes with the node agent.
      await Promise.all(loops);
      nodeTokens.stop();
      gossipKeys.stop();
      rbacPolicy.stop();
      detachAllocation();
      await store.close();
    },
  };
}

/** Where a node's kubelet serves pod streams: its InternalIP and the port it published. */
export function kubeletAddressOf(node: Node): { host: string; port: number } {
  const host = internalIPs(node)[0];
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!host || !port) throw new Error(`node ${node.metadata.name} publishes no kubelet endpoint (InternalIP and daemonEndpoints.kubeletEndpoint.Port)`);
  return { host, port };
}

// Every default of kubelabd, in one place, each with what it does to a running cluster: the
// numbers a student tunes to see a node declared dead sooner or a crashing container retried
// later. Like memberlist's DefaultLANConfig, a value is written here once and the components
// read it from here; kubelabd's flags default to it as well.
//
// Defaults of the parts in lib/ and network/ stay with their module, since those may not import
// the daemon: gossip (network/gossip/gossip-config.ts, shown below as GOSSIP_DEFAULTS), the
// work queue's retry back-off, 5 ms doubling to 1000 s (lib/work-queue.ts), the service proxy's
// 30 s resync and 30 s longest retry (network/proxy/proxier.ts), and the host-gw route check every
// 10 s (network/subnet/route-reconciler.ts).

import { defaultGossipConfig, type GossipConfig } from '../network/gossip/gossip-config.js';

/** The ports a node listens on. The same on every node, so a peer's port never has to be asked. */
export const PORTS = {
  /** The HTTPS API (kube-apiserver's 6443). The server listens on it; every agent forwards it so the CLI may use any node. */
  api: 6443,
  /** The kubelet's stream server (logs, exec, port-forward), dialled by the API server (Kubernetes' 10250). */
  kubelet: 10250,
  /** Gossip membership, UDP for probes and TCP for state exchange (memberlist's and Serf's 7946). */
  gossip: 7946,
} as const;

/** `kubelabd server --listen`: loopback only by default, so a fresh server is not exposed by accident. */
export const DEFAULT_LISTEN = `127.0.0.1:${PORTS.api}`;

/** The address ranges of a cluster. They must not overlap each other or the hosts' own network. */
export const NETWORK_DEFAULTS = {
  /** Every node leases one /24 pod subnet from this range (flannel's and kubeadm's 10.244.0.0/16: 256 nodes). */
  clusterCidr: '10.244.0.0/16',
  /** Service ClusterIPs come from here; the first address is the `kubernetes` Service's (kube-apiserver's 10.96.0.0/12). */
  serviceCidr: '10.96.0.0/12',
  /** The ports NodePort and LoadBalancer Services open on every node (kube-apiserver's 30000-32767, above most services' ports). */
  nodePortRange: '30000-32767',
} as const;

/** The cluster DNS every node answers on its pod network's gateway (daemon/cluster-dns.ts). */
export const DNS_DEFAULTS = {
  /**
   * Where names outside cluster.local are forwarded: the resolvers of this file (CoreDNS's
   * `forward . /etc/resolv.conf`). When it lists only systemd-resolved's stub (127.0.0.53), the
   * real resolvers are read from /run/systemd/resolve/resolv.conf, as kubelet --resolv-conf advises.
   */
  upstreamResolvConf: '/etc/resolv.conf',
  /** How long one upstream resolver has to answer before the next is asked (glibc waits 5 s per try; CoreDNS's forward about as long in all). */
  upstreamTimeoutMs: 2_000,
  /** Forwarded answers kept at most; each for its own TTL, at most an hour (CoreDNS's cache: 9984 entries, 3600 s). */
  cacheEntries: 10_000,
  /** When port 53 of the gateway is taken, binding is tried again this often; meanwhile the node is NotReady and says why. */
  bindRetryMs: 10_000,
} as const;

/** The kubelet: how it retries containers and images, and how often it looks again. */
export const KUBELET_DEFAULTS = {
  /**
   * CrashLoopBackOff and ImagePullBackOff: the first restart of a crashed container is
   * immediate, then it waits 10 s, 20 s, 40 s ... never more than 5 min, so a container that
   * crashes at once costs the node a start every 5 min instead of a busy loop. A container that
   * ran 10 min is healthy again: its next crash starts the back-off over. Kubernetes' values.
   */
  backoff: { initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 },
  /** Every pod is synced at least this often even if nothing was heard about it: lost events heal within it. */
  resyncMs: 10_000,
  /** How often the engine is asked whether a container changed state (Kubernetes' PLEG relists every 1 s). */
  containerPollMs: 1_000,
  /**
   * How often the node renews its heartbeat. With the 40 s grace period below, a node may miss
   * three heartbeats before it is NotReady (Kubernetes: 10 s and 40 s).
   */
  heartbeatIntervalMs: 10_000,
  /**
   * The node status is written when it changes, and at least this often when it does not
   * (Kubernetes' nodeStatusReportFrequency, 5 min): between two reports the node lease, renewed
   * every heartbeat interval, is the heartbeat.
   */
  nodeStatusReportIntervalMs: 300_000,
  /** A container whose config cannot be made yet (a missing Secret or ConfigMap) is tried again after this. */
  configErrorRetryMs: 5_000,
  /** How long a container may take to stop after SIGTERM before SIGKILL, when neither the pod nor the delete says (Kubernetes: 30 s). */
  terminationGracePeriodSeconds: 30,
  /**
   * How often the kubelet reads every container's and the node's CPU and memory counters
   * (`--housekeeping-interval`, cAdvisor's 10 s). CPU is a rate between two readings, so
   * `kubectl top` and the HPA see a pod's usage one to two intervals after it starts and react to
   * a change within about one interval; a shorter interval reacts sooner and costs the node more
   * CPU (`npm run bench` measures a pass).
   */
  housekeepingIntervalMs: 10_000,
  /**
   * Where container counters come from (`--usage-source`): `cgroup` reads the kernel's files, as
   * cAdvisor does, for a few microseconds per container; `docker-stats` asks the engine once per
   * container, several times the cost, and works when the engine is on another machine.
   */
  usageSource: 'cgroup' as 'cgroup' | 'docker-stats',
  /**
   * The longest a postStart hook may hold up its container. Kubernetes waits without a limit (a
   * hook that never returns leaves the container ContainerCreating forever); a lab would rather
   * see FailedPostStartHook after two minutes.
   */
  postStartHookTimeoutMs: 120_000,
  /**
   * While init containers run, the kubelet looks again this often, besides the container poll:
   * a sidecar's startupProbe passing does not change any container's state, yet lets the next
   * init container start.
   */
  initContainerPollMs: 1_000,
} as const;

/** The kubelet's usage sampling flags, as their defaults. */
export const KUBELET_USAGE_FLAGS = { housekeepingIntervalMs: KUBELET_DEFAULTS.housekeepingIntervalMs, usageSource: KUBELET_DEFAULTS.usageSource };

/** The node lifecycle controller: when a silent node is given up and its pods are made elsewhere. */
export const NODE_LIFECYCLE_DEFAULTS = {
  /** A node whose heartbeat is this old is unreachable (Ready Unknown; --node-monitor-grace-period). Lower notices a dead node sooner, and a slow one wrongly. */
  nodeMonitorGracePeriodMs: 40_000,
  /** The pods of an unreachable or not-ready node wait this long for it before they are evicted and recreated elsewhere (DefaultTolerationSeconds' 300 s). */
  podEvictionTimeoutMs: 300_000,
  /** How often the controller looks at every node's heartbeat (Kubernetes' --node-monitor-period 5 s). */
  nodeMonitorPeriodMs: 5_000,
} as const;

/** The node agent, while it joins. */
export const NODE_AGENT_DEFAULTS = {
  /** How often a new node asks whether the server has leased it a pod subnet yet. */
  subnetPollMs: 500,
  /** How often a node that knows no other member tries the gossip seeds again (it started first, or was cut off). */
  gossipJoinRetryMs: 2_000,
  /**
   * How often an agent fetches the gossip keyring from the API, to learn a rotated key. It must be
   * well under GOSSIP_KEY_DEFAULTS.activationDelayMs, or a node would meet packets signed with a
   * key it has not fetched yet, drop them, and see its peers as dead.
   */
  gossipKeyringPollMs: 10_000,
} as const;

/** The gossip key (network/gossip/keyring.ts). */
export const GOSSIP_KEY_DEFAULTS = {
  /**
   * How long a rotated-in key waits before members sign with it: time for every agent to fetch
   * the new ring (three polls). Until then the old key signs; after it, the old key is still
   * accepted until the next rotation, which is refused before this delay has passed.
   */
  activationDelayMs: 30_000,
} as const;

/** The API server. */
export const API_SERVER_DEFAULTS = {
  /** A quiet watch that asked for bookmarks gets one this often: its heartbeat, and a resourceVersion to resume from. */
  watchBookmarkIntervalMs: 10_000,
  /** How long the API server waits for a TCP+TLS connection to a kubelet (logs, exec) before calling its node unreachable. */
  kubeletDialTimeoutMs: 10_000,
  /**
   * metrics.k8s.io: a node's usage report fetched from its kubelet is reused for this long, so a
   * `kubectl top` right after another, or the HPA and a user together, cost the node one fetch.
   * Well under the housekeeping interval, so nothing older than one pass plus this is served.
   */
  metricsCacheMs: 2_000,
  /** How long the metrics API waits for one kubelet's usage report before leaving that node out. */
  metricsFetchTimeoutMs: 5_000,
} as const;

/**
 * Caps on what a peer can make the daemon buffer before anything it sent is checked: without them
 * one frame or one header block can claim all memory. Each is far above what a real client sends.
 */
export const INPUT_CAP_DEFAULTS = {
  /**
   * The largest WebSocket message the exec/attach/port-forward endpoints accept; a bigger one
   * closes the connection (1009, message too big). kubectl sends stdin and port-forward data in
   * frames of at most 32 KiB; kube-apiserver's websocket library stops at 32 MiB, the `ws`
   * library's default is 100 MiB. 4 MiB leaves room without letting a client claim much memory.
   */
  websocketMaxPayloadBytes: 4 * 1024 * 1024,
  /**
   * The largest SPDY header block after inflating. A few hundred compressed bytes can inflate to
   * megabytes (a zip bomb); real exec and port-forward header blocks are under 1 KiB, and Go's
   * net/http allows 1 MiB of request headers. Past this the connection is closed.
   */
  spdyMaxHeaderBlockBytes: 256 * 1024,
} as const;

/** Events, as every component records them (client-go's EventCorrelator). */
export const EVENT_DEFAULTS = {
  /** A repeated event within this window is folded into the first one with a count (Kubernetes: 10 min), so a crash loop does not flood the store. */
  aggregationWindowMs: 10 * 60_000,
} as const;

/** The embedded store (nedb). */
export const STORE_DEFAULTS = {
  /** How many past changes are kept for watches that resume from a resourceVersion; older ones get 410 Gone and must list again. */
  watchHistorySize: 10_000,
  /** The append-only datafile is rewritten after this many writes, or this often, so it does not grow without end. */
  compactEveryWrites: 1_000,
  compactIntervalMs: 10 * 60_000,
  /**
   * A list checks this many objects against its selectors, then lets other requests run before
   * it goes on: a list over 11,000 objects is cut into steps of about a millisecond instead of
   * holding the event loop (and every other client) for the whole scan.
   */
  listChunkObjects: 1_000,
} as const;

/** The store on etcd (--store etcd). */
export const ETCD_STORE_DEFAULTS = {
  /** Where objects live in etcd, as kube-apiserver's --etcd-prefix: /registry/pods/default/web. */
  prefix: '/registry/',
  /**
   * etcd keeps every old revision until it is compacted. Like kube-apiserver (--etcd-compaction-interval),
   * each server compacts every 5 minutes to the revision it saw 5 minutes earlier: watches and
   * continue tokens can go back about 5 minutes, and etcd's database does not grow without end.
   */
  compactionIntervalMs: 5 * 60_000,
  /** How long the server waits for etcd to answer at start before it gives up with an error. */
  dialTimeoutMs: 5_000,
} as const;

/** The controllers' and the scheduler's loops. */
export const CONTROLLER_DEFAULTS = {
  /**
   * Every controller re-enqueues all its objects this often (the informers' resync), so a missed
   * event or a failed reconcile that gave up is healed within this period at worst.
   */
  resyncPeriodMs: 30_000,
  /** A pod no node fits is tried again after this even if no node changed (kube-scheduler waits up to 5 min; a lab is small). */
  unschedulableRetryMs: 30_000,
  /** The pod subnet of a deleted node is kept this long before another node may lease it, so a node that comes back finds its own. */
  subnetLeaseReleaseGraceMs: 5 * 60_000,
  /**
   * A daemon pod that failed on a node is deleted and made again, after 1 s, then 2 s, 4 s ...
   * up to 15 min while it keeps failing there (Kubernetes' failedPodsBackoff): a node that
   * rejects the pod costs one attempt per 15 min, not a hot loop of creates and deletes.
   */
  daemonFailedPodBackoff: { initialMs: 1_000, maxMs: 15 * 60_000 },
} as const;

/** The horizontal pod autoscaler (kube-controller-manager's --horizontal-pod-autoscaler-* flags). */
export const HPA_DEFAULTS = {
  /**
   * Every HPA is evaluated this often (--hpa-sync-period; Kubernetes 15 s). The metrics it reads
   * are at best one kubelet sampling period old, so a shorter period reacts sooner only up to that.
   */
  syncPeriodMs: 15_000,
  /**
   * A scale down takes the highest recommendation of this window (--hpa-downscale-stabilization;
   * Kubernetes 5 min): a short dip in load does not remove pods the next spike needs again.
   * An HPA's spec.behavior.scaleDown.stabilizationWindowSeconds overrides it.
   */
  downscaleStabilizationMs: 300_000,
  /** A usage ratio within 1 ± this does not scale (--hpa-tolerance; Kubernetes 0.1): no flapping around the target. */
  tolerance: 0.1,
  /** cpu samples of a pod this young may be start-up noise and count only once it is ready (Kubernetes 5 min). */
  cpuInitializationPeriodMs: 300_000,
  /** A Ready condition that changed this soon after the pod started is its first readiness (Kubernetes 30 s). */
  initialReadinessDelayMs: 30_000,
} as const;

/** The Job, CronJob and TTL-after-finished controllers. */
export const JOB_DEFAULTS = {
  /**
   * After a Job's pod fails, its replacement waits 10 s, then 20 s, 40 s ... per further failure
   * since the last success, never more than 6 min (Kubernetes' fixed DefaultJobPodFailureBackOff
   * and MaxJobPodFailureBackOff). Kubernetes has no flag for it; `kubelabd server
   * --job-pod-failure-backoff SECONDS` sets the first wait, so a lab (or a test) can watch a Job
   * run out of retries in seconds instead of minutes.
   */
  podFailureBackoff: { initialMs: 10_000, maxMs: 360_000 },
  /** More missed schedule times than this and a CronJob starts only the latest, with a TooManyMissedTimes warning (Kubernetes: 100). */
  tooManyMissedSchedules: 100,
} as const;

/**
 * Gossip (SWIM with Lifeguard, as memberlist's DefaultLANConfig): a node probes one peer every
 * 1 s (--gossip-probe-interval-ms); a peer that does not ack within 500 ms
 * (--gossip-probe-timeout-ms), directly or through 3 others, is suspected, and declared dead
 * after suspicionMult (4, --gossip-suspicion-mult) × max(1, log10(nodes)) probe intervals once 2
 * others confirm it, 6 times that if nobody does, unless it refutes. Queued news goes to 3 random
 * nodes every 200 ms (--gossip-interval-ms), each piece 4 × ceil(log10(nodes + 1)) times
 * (--gossip-retransmit-mult). Lower intervals detect failures sooner, with more packets; higher
 * multipliers give fewer false alarms on a lossy network. `kubelab lab` passes faster values,
 * measured on its simulated hosts (cli/lab/host-kubelabd.ts, LAB_GOSSIP: 200 ms probes, a killed
 * host NotReady on the server in 1.2 s). The values and their comments live in
 * network/gossip/gossip-config.ts (network code may not import the daemon).
 */
export const GOSSIP_DEFAULTS: GossipConfig = defaultGossipConfig;

/** The web view at /ui/ (daemon/api/ui/) and `kubelab dashboard`. */
export const DASHBOARD_DEFAULTS = {
  /**
   * A login code printed by `kubelab dashboard --url` works once and only this long: long enough
   * to paste the URL into a browser, short enough that a URL left in a shell history, a
   * screenshot or a proxy log is worthless by the time anyone reads it (minikube's is similar).
   */
  loginCodeTtlMs: 60_000,
  /**
   * The browser session the code is exchanged for (an HttpOnly cookie) lasts a working day; after
   * that the page says so and `kubelab dashboard` makes a new code. Sessions live in the API
   * server's memory: a restarted server forgets them.
   */
  sessionTtlMs: 8 * 60 * 60 * 1000,
  /**
   * The live stream sends an SSE comment this often when nothing changed, so proxies and the
   * browser keep the connection open and a dead one is noticed. It is a heartbeat, not a poll:
   * data only ever arrives as watch events.
   */
  heartbeatIntervalMs: 15_000,
} as const;

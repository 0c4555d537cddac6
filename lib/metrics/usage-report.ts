// From counters to rates: what one sampling pass of the kubelet turns into.
//
// The kernel gives cumulative CPU time; a rate needs two readings. Like cAdvisor and
// metrics-server, the kubelet keeps each container's previous reading and reports the CPU used
// between the two, divided by the time between them: nanoseconds of CPU per second is
// "nanocores" (1e9 = one core busy). Memory needs no history: the working set is a level.
//
// A container seen for the first time (new, or restarted: Docker gives the new attempt a new id)
// has no rate yet and is left out until the next pass, as metrics-server leaves it out; a counter
// that went backwards (the cgroup was recreated) starts over the same way.
//
// Pure: the kubelet's sampler (daemon/kubelet/usage/usage-sampler.ts) reads the counters and the
// clock and calls planUsageReport.

/** One reading of a cgroup's counters. */
export interface CounterSample {
  /** Cumulative CPU time, in nanoseconds. */
  cpuUsageNanos: number;
  memoryWorkingSetBytes: number;
  /** When it was read (ms since the epoch). */
  atMs: number;
}

/** Usage over a window that ended at `timestamp`. */
export interface UsageWindow {
  /** RFC 3339: the end of the window (the newer reading). */
  timestamp: string;
  windowMs: number;
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
}

export interface ContainerUsage {
  name: string;
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  uid: string;
  timestamp: string;
  windowMs: number;
  containers: ContainerUsage[];
}

/** What a node's kubelet serves at /stats/usage and what the API server's metrics API reads. */
export interface NodeUsageReport {
  nodeName: string;
  /** Absent until the node has been read twice. */
  node?: UsageWindow;
  pods: PodUsage[];
}

/** A container's reading in one pass, with the pod it belongs to. */
export interface ContainerReading {
  /** The engine's container id: a restarted container is a new id, with no history. */
  id: string;
  pod: { namespace: string; name: string; uid: string };
  container: string;
  sample: CounterSample;
}

/** The CPU rate between two readings in nanocores, or undefined when they do not make one. */
export function cpuNanoCoresBetween(previous: CounterSample, current: CounterSample): number | undefined {
  const elapsedMs = current.atMs - previous.atMs;
  const usedNanos = current.cpuUsageNanos - previous.cpuUsageNanos;
  if (elapsedMs <= 0 || usedNanos < 0) return undefined; // clock went back, or the counter restarted
  return Math.round(usedNanos / (elapsedMs / 1000));
}

/** The usage window between two readings, when they make one. */
export function usageWindow(previous: CounterSample | undefined, current: CounterSample): UsageWindow | undefined {
  if (!previous) return undefined;
  const cpuNanoCores = cpuNanoCoresBetween(previous, current);
  if (cpuNanoCores === undefined) return undefined;
  return {
    timestamp: new Date(current.atMs).toISOString(),
    windowMs: current.atMs - previous.atMs,
    cpuNanoCores,
    memoryWorkingSetBytes: current.memoryWorkingSetBytes,
  };
}

export interface UsagePlan {
  report: NodeUsageReport;
  /** The readings to keep for the next pass: this pass's, by container id. */
  previous: Map<string, CounterSample>;
  previousNode?: CounterSample;
}

/**
 * One pass: this pass's readings against the last pass's. Pods come out sorted by namespace and
 * name, their containers by name; a pod none of whose containers has a rate yet is left out.
 */
export function planUsageReport(input: {
  nodeName: string;
  previous: ReadonlyMap<string, CounterSample>;
  previousNode?: CounterSample;
  containers: ContainerReading[];
  node?: CounterSample;
}): UsagePlan {
  const pods = new Map<string, PodUsage>();
  const next = new Map<string, CounterSample>();
  for (const reading of input.containers) {
    next.set(reading.id, reading.sample);
    const window = usageWindow(input.previous.get(reading.id), reading.sample);
    if (!window) continue;
    const key = `${reading.pod.namespace}/${reading.pod.name}/${reading.pod.uid}`;
    let pod = pods.get(key);
    if (!pod) {
      pod = { ...reading.pod, timestamp: window.timestamp, windowMs: window.windowMs, containers: [] };
      pods.set(key, pod);
    }
    pod.containers.push({ name: reading.container, cpuNanoCores: window.cpuNanoCores, memoryWorkingSetBytes: window.memoryWorkingSetBytes });
  }
  for (const pod of pods.values()) pod.containers.sort((a, b) => a.name.localeCompare(b.name));
  const sorted = [...pods.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const nodeWindow = input.node ? usageWindow(input.previousNode, input.node) : undefined;
  return {
    report: { nodeName: input.nodeName, ...(nodeWindow ? { node: nodeWindow } : {}), pods: sorted },
    previous: next,
    previousNode: input.node,
  };
}

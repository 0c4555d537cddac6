// A pod's life as one timeline: what `kubelab trace pod NAME` prints, assembled purely from what
// the API keeps about the pod (its events, the pod itself, the Endpoints that list it).
//
// No Kubernetes tool shows this: `kubectl describe pod` lists events with whole-second ages, and
// a pod's conditions carry whole-second lastTransitionTimes. kubelab's components therefore
// record each step of a pod's life as an Event whose `eventTime` is a MicroTime (to the
// millisecond), with a reason per step: Kubernetes' own where it has one (Scheduled, Pulled,
// Created, Started, Unhealthy, Killing) and new ones where it has none:
//
//   Accepted         api                 the API server stored the pod
//   Seen             kubelet on NODE     the node's kubelet synced it for the first time
//   SandboxCreated   kubelet on NODE     the infra container owns the pod's network, with its IP
//   PodReady         kubelet on NODE     the Ready condition became True
//   EndpointsAdded   endpoints           a ready address of a Service's Endpoints
//   ProxyProgrammed  proxy on NODE       that node's proxy sends the Service's connections to it
//   Exited           kubelet on NODE     a container the kubelet stopped, with its exit code
//   SandboxRemoved   kubelet on NODE     the pod's sandbox, containers and volumes are gone
//   EndpointsRemoved endpoints           no longer a ready address (being deleted, or not ready)
//
// Events outlive the pod, so a deleted pod's trace still reads from creation to sandbox removal.
// Offsets count from the Accepted event (creationTimestamp when there is none: a pod made before
// kubelab recorded it, or whose events were deleted). Rows are ordered by time, then by the step's
// place in a pod's life for rows of the same millisecond, so offsets never decrease. A row whose
// time has whole seconds only (an event without eventTime, a condition) says so: `~`.

import type { Endpoints, Event, Pod } from '../api/types.js';

/** The annotation the scheduler writes its per-node filter and score results to (the `decision` work). */
export const SCHEDULING_DECISION_ANNOTATION = 'scheduling.kubelab.io/decision';

export interface TraceRow {
  /** Milliseconds since the pod was accepted (negative only if clocks of two hosts disagree). */
  offsetMs: number;
  /** The moment, as an ISO timestamp. */
  time: string;
  /** `api`, `scheduler`, `kubelet on node1`, `endpoints`, `proxy on node2`, or the event's source. */
  component: string;
  /** The event reason (or `Ready`/`PodScheduled` for a row taken from a condition). */
  reason: string;
  /** What happened, in words. */
  what: string;
  /** False when the time has whole seconds only. */
  precise: boolean;
  /** Warnings (a failed probe, a back-off). */
  warning: boolean;
  /** Times the event happened (repeats fold into one event); 1 when once. */
  count: number;
  /** Identifies the row across re-assemblies (for `-w`, which prints each row once). */
  key: string;
}

export interface PodTrace {
  namespace: string;
  name: string;
  uid?: string;
  node?: string;
  /** The pod is gone from the API (only its events are left). */
  deleted: boolean;
  /** The pod is being deleted (deletionTimestamp set) but still exists. */
  terminating: boolean;
  ready: boolean;
  /** The time offsets count from. */
  origin?: string;
  rows: TraceRow[];
  /** Steps the pod has gone through that no row shows (their events are missing). */
  missing: string[];
}

export interface PodTraceInput {
  namespace: string;
  name: string;
  /** The pod as the API has it now; absent when it was deleted. */
  pod?: Pod;
  /** Events whose involvedObject is a Pod of this namespace and name (any uid: the assembly picks). */
  events: Event[];
  /** Endpoints of the pod's namespace (to notice steps the events miss). */
  endpoints?: Endpoints[];
}

/** A step's place in a pod's life: orders rows of the same millisecond. */
const STEP_ORDER: Record<string, number> = {
  Accepted: 0,
  PodScheduled: 1,
  Scheduled: 1,
  Seen: 2,
  SandboxCreated: 3,
  Pulling: 4,
  Pulled: 5,
  Created: 6,
  Started: 7,
  Unhealthy: 8,
  PodReady: 9,
  Ready: 9,
  EndpointsAdded: 10,
  ProxyProgrammed: 11,
  EndpointsRemoved: 12,
  Killing: 13,
  Exited: 14,
  SandboxRemoved: 15,
};

const readyCondition = (pod: Pod | undefined) => pod?.status?.conditions?.find((c) => c.type === 'Ready');

/** `kubelet on node1` from an event's source; the components' Kubernetes names become short ones. */
export function componentOf(event: Event): string {
  const component = event.source?.component ?? event.reportingComponent ?? '';
  const host = event.source?.host ?? '';
  switch (component) {
    case 'kube-apiserver':
      return 'api';
    case 'default-scheduler':
      return 'scheduler';
    case 'kubelet':
      return host ? `kubelet on ${host}` : 'kubelet';
    case 'endpoint-controller':
      return 'endpoints';
    case 'kube-proxy':
      return host ? `proxy on ${host}` : 'proxy';
    default:
      return component || 'unknown';
  }
}

/** When the event first happened: eventTime (precise) or firstTimestamp (whole seconds). */
function timeOf(event: Event): { ms: number; precise: boolean } | undefined {
  if (event.eventTime) {
    const ms = Date.parse(event.eventTime);
    if (!Number.isNaN(ms)) return { ms, precise: true };
  }
  const fallback = event.firstTimestamp ?? event.lastTimestamp ?? event.metadata.creationTimestamp;
  const ms = fallback ? Date.parse(fallback) : NaN;
  return Number.isNaN(ms) ? undefined : { ms, precise: false };
}

/** The pod uid to trace: the live pod's, else the one whose events are newest (a deleted pod; an older namesake loses). */
function pickUid(pod: Pod | undefined, events: Event[]): string | undefined {
  if (pod?.metadata.uid) return pod.metadata.uid;
  let best: { uid: string; ms: number } | undefined;
  for (const event of events) {
    const uid = event.involvedObject.uid;
    const ms = timeOf(event)?.ms ?? 0;
    if (uid && (!best || ms > best.ms)) best = { uid, ms };
  }
  return best?.uid;
}

/** Init container names of the pod (when it still exists), to say "init container". */
function initContainerNames(pod: Pod | undefined): Set<string> {
  return new Set((pod?.spec.initContainers ?? []).map((c) => c.name));
}

/** The words of a row for an event of a known step; other events keep their reason and message. */
function describeEvent(event: Event, pod: Pod | undefined, name: string): string {
  const message = event.message ?? '';
  const inits = initContainerNames(pod);
  // The kubelet names the container in fieldPath (`spec.initContainers{prepare}`), as Kubernetes'
  // does; the pod's spec tells for events without one, while the pod exists.
  const containerIn = (text: string) => {
    const container = / container (\S+)/.exec(text)?.[1] ?? '';
    const init = event.involvedObject.fieldPath?.startsWith('spec.initContainers{') || inits.has(container);
    return init ? `init container ${container}` : `container ${container}`;
  };
  switch (event.reason) {
    case 'Accepted':
      return `accepted by the API (creationTimestamp ${pod?.metadata.creationTimestamp ?? /creationTimestamp (\S+)\)/.exec(message)?.[1] ?? 'unknown'})`;
    case 'Scheduled': {
      const node = / to (\S+)$/.exec(message)?.[1] ?? '?';
      const decision = pod?.metadata.annotations?.[SCHEDULING_DECISION_ANNOTATION] !== undefined;
      return `scheduled to ${node}${decision ? `; why this node: kubelab describe pod ${name} (annotation ${SCHEDULING_DECISION_ANNOTATION})` : ''}`;
    }
    case 'Seen':
      return 'pod seen by the kubelet';
    case 'SandboxCreated':
      return `sandbox created${/pod IP (\S+)/.exec(message) ? `, pod IP ${/pod IP (\S+)/.exec(message)![1]}` : ''}`;
    case 'Pulling':
      return message.replace(/^Pulling image/, 'pulling image');
    case 'Pulled':
      return message.startsWith('Container image') ? `image ${/"([^"]+)"/.exec(message)?.[1] ?? ''} already present` : message.replace(/^Successfully pulled image/, 'image pulled:');
    case 'Created':
      return `${containerIn(message)} created`;
    case 'Started':
      return `${containerIn(message)} started`;
    case 'Unhealthy':
      return `probe failed: ${message}`;
    case 'PodReady':
      return 'Ready';
    case 'EndpointsAdded': {
      const match = /Added (\S+) to the ready addresses of Endpoints (\S+)/.exec(message);
      return match ? `added to the endpoints of Service ${match[2]} (${match[1]})` : message;
    }
    case 'ProxyProgrammed': {
      const match = /Endpoint (\S+) of Service (\S+) programmed/.exec(message);
      return match ? `programmed in the proxy: Service ${match[2]} -> ${match[1]}` : message;
    }
    case 'Killing':
      return message.startsWith('Stopping container') ? `kill signal (SIGTERM, then SIGKILL after the grace period) to ${containerIn(message)}` : `kill: ${message}`;
    case 'Exited': {
      const match = /Container (\S+) exited with code (\d+)(.*)$/.exec(message);
      return match ? `${containerIn(` container ${match[1]}`)} exited with code ${match[2]}${match[3]}` : message;
    }
    case 'SandboxRemoved':
      return 'sandbox, containers and volumes removed';
    case 'EndpointsRemoved': {
      const match = /Removed (\S+) from the ready addresses of Endpoints (\S+) \((.*)\)$/.exec(message);
      return match ? `removed from the endpoints of Service ${match[2]} (${match[1]}): ${match[3]}` : message;
    }
    default:
      return `${event.reason}: ${message}`;
  }
}

/** Builds the timeline (pure). */
export function assemblePodTrace(input: PodTraceInput): PodTrace {
  const { pod, namespace, name } = input;
  const uid = pickUid(pod, input.events);
  const events = input.events.filter(
    (e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === name && (e.involvedObject.namespace ?? e.metadata.namespace) === namespace && (!uid || !e.involvedObject.uid || e.involvedObject.uid === uid),
  );

  interface Draft extends Omit<TraceRow, 'offsetMs' | 'time'> {
    ms: number;
    index: number;
  }
  const drafts: Draft[] = [];
  for (const event of events) {
    const at = timeOf(event);
    if (!at) continue;
    drafts.push({
      ms: at.ms,
      precise: at.precise,
      component: componentOf(event),
      reason: event.reason ?? '',
      what: describeEvent(event, pod, name),
      warning: event.type === 'Warning',
      count: event.count ?? 1,
      key: event.metadata.name ?? `${event.reason}/${event.eventTime}`,
      index: drafts.length,
    });
  }
  const has = (reason: string) => drafts.some((d) => d.reason === reason);

  // Steps the pod object shows but no event does: from conditions and creationTimestamp, in whole seconds.
  if (pod && !has('Accepted') && pod.metadata.creationTimestamp) {
    drafts.push({ ms: Date.parse(pod.metadata.creationTimestamp), precise: false, component: 'api', reason: 'Accepted', what: `accepted by the API (creationTimestamp ${pod.metadata.creationTimestamp})`, warning: false, count: 1, key: 'pod/creationTimestamp', index: drafts.length });
  }
  const scheduled = pod?.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  if (pod?.spec.nodeName && !has('Scheduled') && scheduled?.lastTransitionTime) {
    drafts.push({ ms: Date.parse(scheduled.lastTransitionTime), precise: false, component: 'scheduler', reason: 'PodScheduled', what: `scheduled to ${pod.spec.nodeName} (PodScheduled condition)`, warning: false, count: 1, key: 'pod/PodScheduled', index: drafts.length });
  }
  const ready = readyCondition(pod);
  if (ready?.status === 'True' && !has('PodReady') && ready.lastTransitionTime) {
    drafts.push({ ms: Date.parse(ready.lastTransitionTime), precise: false, component: pod?.spec.nodeName ? `kubelet on ${pod.spec.nodeName}` : 'kubelet', reason: 'Ready', what: 'Ready (Ready condition)', warning: false, count: 1, key: 'pod/Ready', index: drafts.length });
  }

  const valid = drafts.filter((d) => !Number.isNaN(d.ms));
  const accepted = valid.find((d) => d.reason === 'Accepted' && d.precise) ?? valid.find((d) => d.reason === 'Accepted');
  // A whole-second time T means "during [T, T + 1 s)": when the pod was accepted within that
  // second, the step happened after the acceptance, not 0.7 s before it.
  if (accepted) for (const d of valid) if (!d.precise && d.ms < accepted.ms && d.ms + 1000 > accepted.ms) d.ms = accepted.ms;
  valid.sort((a, b) => a.ms - b.ms || (STEP_ORDER[a.reason] ?? 50) - (STEP_ORDER[b.reason] ?? 50) || a.index - b.index);
  const originMs = accepted?.ms ?? valid[0]?.ms;
  const rows: TraceRow[] = valid.map(({ ms, index: _index, ...rest }) => ({ ...rest, offsetMs: ms - (originMs ?? ms), time: new Date(ms).toISOString() }));

  const node =
    pod?.spec.nodeName ??
    /scheduled to ([^\s;]+)/.exec(rows.find((r) => r.reason === 'Scheduled')?.what ?? '')?.[1] ??
    /^kubelet on (\S+)$/.exec(rows.find((r) => r.component.startsWith('kubelet on '))?.component ?? '')?.[1];
  return {
    namespace,
    name,
    ...(uid ? { uid } : {}),
    ...(node ? { node } : {}),
    deleted: !pod,
    terminating: Boolean(pod?.metadata.deletionTimestamp),
    ready: ready?.status === 'True',
    ...(originMs !== undefined ? { origin: new Date(originMs).toISOString() } : {}),
    rows,
    missing: missingSteps(pod, rows, input.endpoints ?? []),
  };
}

/** What the live pod shows it went through but the rows do not (events deleted, or not recorded by an older kubelab). */
function missingSteps(pod: Pod | undefined, rows: TraceRow[], endpoints: Endpoints[]): string[] {
  if (!pod) return [];
  const missing: string[] = [];
  const has = (reason: string, text?: string) => rows.some((r) => r.reason === reason && (text === undefined || r.what.includes(text)));
  if (pod.spec.nodeName && !has('Scheduled') && !has('PodScheduled')) missing.push(`scheduled to ${pod.spec.nodeName}`);
  if (pod.status?.podIP && !has('SandboxCreated')) missing.push(`sandbox created, pod IP ${pod.status.podIP}`);
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const ran = status.state?.running || status.state?.terminated || status.lastState?.terminated;
    if (ran && !has('Started', ` ${status.name} started`)) missing.push(`container ${status.name} started`);
  }
  for (const object of endpoints) {
    const listed = (object.subsets ?? []).some((s) => (s.addresses ?? []).some((a) => a.targetRef?.uid === pod.metadata.uid));
    const service = `${object.metadata.namespace}/${object.metadata.name}`;
    if (listed && !has('EndpointsAdded', `Service ${service} `)) missing.push(`added to the endpoints of Service ${service}`);
  }
  return missing;
}

/** `+0.000 s`, `+12.345 s`, `-0.002 s`. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  return `${sign}${(Math.abs(offsetMs) / 1000).toFixed(3)} s`;
}

/** The header line: `pod default/web (uid ...) on node1: Ready` (pure). */
export function formatTraceHeader(trace: PodTrace): string {
  const state = trace.deleted ? 'deleted' : trace.terminating ? 'terminating' : trace.ready ? 'Ready' : 'not Ready';
  return `pod ${trace.namespace}/${trace.name}${trace.uid ? ` (uid ${trace.uid})` : ''}${trace.node ? ` on ${trace.node}` : ''}: ${state}${trace.origin ? `, created ${trace.origin}` : ''}`;
}

/** The width of the component column for these rows. */
export function componentWidth(rows: TraceRow[]): number {
  return Math.max('COMPONENT'.length, ...rows.map((r) => r.component.length));
}

/** One row of the table: `+0.412 s  kubelet on node1  container web started` (pure). */
export function formatTraceRow(row: TraceRow, width: number): string {
  const offset = `${row.precise ? '' : '~'}${formatOffset(row.offsetMs)}`.padStart(11);
  const count = row.count > 1 ? ` (x${row.count})` : '';
  return `${offset}  ${row.component.padEnd(width)}  ${row.warning ? 'Warning: ' : ''}${row.what}${count}`;
}

/** The whole trace as text: header, column titles, rows, then what is missing (pure). */
export function formatPodTrace(trace: PodTrace): string[] {
  const width = componentWidth(trace.rows);
  const lines = [formatTraceHeader(trace), `${'OFFSET'.padStart(11)}  ${'COMPONENT'.padEnd(width)}  WHAT`];
  for (const row of trace.rows) lines.push(formatTraceRow(row, width));
  if (trace.rows.length === 0) lines.push('(no steps recorded: there are no events for this pod)');
  for (const step of trace.missing) lines.push(`not recorded: ${step} (the pod shows it, but no event tells when)`);
  return lines;
}

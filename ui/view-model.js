// The web view's view models: pure functions from API objects (as the watches deliver them) to
// what each page draws. No DOM, no fetch, no clock: the pages render these, and
// test/unit/ui-view-model.test.ts checks them with fixed objects. Types: view-model.d.ts.

export const DECISION_ANNOTATION = 'scheduling.kubelab.io/decision';
export const GOSSIP_STATE_ANNOTATION = 'kubelab.io/gossip-state';
const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

const byName = (a, b) => keyOf(a).localeCompare(keyOf(b));
/** `namespace/name`, or `name` for a cluster-scoped object: the key pages and the store use. */
export const keyOf = (obj) => (obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name);
const conditionOf = (obj, type) => (obj.status?.conditions ?? []).find((c) => c.type === type);
const ms = (time) => (time ? Date.parse(time) : NaN);

/**
 * A pod's colour class, the way `kubectl get pods` reads a pod: terminating (deletion requested)
 * first, then the phase, and a Running pod split by its Ready condition.
 */
export function podState(pod) {
  if (pod.metadata.deletionTimestamp) return 'terminating';
  switch (pod.status?.phase) {
    case 'Running':
      return conditionOf(pod, 'Ready')?.status === 'True' ? 'ready' : 'running';
    case 'Pending':
      return 'pending';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    default:
      return pod.status?.phase ? 'unknown' : 'pending';
  }
}

/**
 * A node's health as the cluster knows it: the Ready condition (the kubelet's heartbeat, turned
 * Unknown by the node lifecycle controller when it stops) and the gossip state the lifecycle
 * controller mirrors into an annotation (alive, suspect, dead, left).
 */
export function nodeHealth(node) {
  const ready = conditionOf(node, 'Ready')?.status ?? 'Unknown';
  const gossip = node.metadata.annotations?.[GOSSIP_STATE_ANNOTATION];
  const dead = gossip === 'dead' || gossip === 'left';
  const label = dead ? 'dead' : ready === 'True' ? 'Ready' : 'NotReady';
  return { ready, gossip, dead, label, unschedulable: Boolean(node.spec?.unschedulable) };
}

const internalIP = (node) => (node.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;

/** The cluster page: each node as a box holding its pods; pods no node holds yet in their own box. */
export function clusterView(nodes, pods) {
  const boxes = new Map(
    [...nodes].sort(byName).map((node) => [
      node.metadata.name,
      { name: node.metadata.name, ip: internalIP(node), subnet: node.spec?.podCIDR, health: nodeHealth(node), pods: [] },
    ]),
  );
  const unscheduled = [];
  for (const pod of [...pods].sort(byName)) {
    const entry = { key: keyOf(pod), name: pod.metadata.name, namespace: pod.metadata.namespace, state: podState(pod), ip: pod.status?.podIP };
    const box = pod.spec?.nodeName ? boxes.get(pod.spec.nodeName) : undefined;
    if (box) box.pods.push(entry);
    else unscheduled.push({ ...entry, nodeName: pod.spec?.nodeName });
  }
  return { nodes: [...boxes.values()], unscheduled };
}

const ownedBy = (obj, owner) => (obj.metadata.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata.uid && ref.controller !== false);

/**
 * The workloads page: every Deployment with its ReplicaSets newest revision first, each with
 * the bars a rollout moves (desired, current, ready replicas).
 */
export function workloadsView(deployments, replicaSets) {
  return [...deployments].sort(byName).map((deployment) => {
    const sets = replicaSets
      .filter((rs) => rs.metadata.namespace === deployment.metadata.namespace && ownedBy(rs, deployment))
      .map((rs) => ({
        name: rs.metadata.name,
        revision: Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0),
        desired: rs.spec?.replicas ?? 0,
        current: rs.status?.replicas ?? 0,
        ready: rs.status?.readyReplicas ?? 0,
        images: (rs.spec?.template?.spec?.containers ?? []).map((c) => c.image),
      }))
      .sort((a, b) => b.revision - a.revision || a.name.localeCompare(b.name));
    const scale = Math.max(1, deployment.spec?.replicas ?? 0, ...sets.map((s) => Math.max(s.desired, s.current)));
    return {
      key: keyOf(deployment),
      namespace: deployment.metadata.namespace,
      name: deployment.metadata.name,
      replicas: deployment.spec?.replicas ?? 0,
      updated: deployment.status?.updatedReplicas ?? 0,
      ready: deployment.status?.readyReplicas ?? 0,
      available: deployment.status?.availableReplicas ?? 0,
      strategy: deployment.spec?.strategy?.type ?? 'RollingUpdate',
      scale,
      replicaSets: sets,
    };
  });
}

/**
 * The services page: each Service's addresses (ClusterIP:port, and NodePort on every node's
 * InternalIP) and its endpoints grouped by the node they run on, ready ones apart from not-ready.
 */
export function servicesView(services, endpointsList, nodes) {
  const endpointsByKey = new Map(endpointsList.map((e) => [keyOf(e), e]));
  const nodeIPs = [...nodes].sort(byName).map((n) => ({ node: n.metadata.name, ip: internalIP(n) })).filter((n) => n.ip);
  return [...services].sort(byName).map((svc) => {
    const ports = (svc.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port, nodePort: p.nodePort }));
    const perNode = new Map();
    for (const subset of endpointsByKey.get(keyOf(svc))?.subsets ?? []) {
      for (const [list, ready] of [[subset.addresses ?? [], true], [subset.notReadyAddresses ?? [], false]]) {
        for (const address of list) {
          const node = address.nodeName ?? '(no node)';
          if (!perNode.has(node)) perNode.set(node, []);
          perNode.get(node).push({ ip: address.ip, pod: address.targetRef?.name, ready, ports: (subset.ports ?? []).map((p) => p.port) });
        }
      }
    }
    const vips = svc.spec?.clusterIP && svc.spec.clusterIP !== 'None' ? ports.map((p) => `${svc.spec.clusterIP}:${p.port}/${p.protocol}`) : [];
    const nodePorts = ports.filter((p) => p.nodePort).flatMap((p) => nodeIPs.map((n) => ({ node: n.node, address: `${n.ip}:${p.nodePort}/${p.protocol}` })));
    const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname);
    return {
      key: keyOf(svc),
      namespace: svc.metadata.namespace,
      name: svc.metadata.name,
      type: svc.spec?.type ?? 'ClusterIP',
      vips,
      nodePorts,
      loadBalancer: ingress,
      endpointsByNode: [...perNode.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([node, addresses]) => ({ node, addresses })),
    };
  });
}

/**
 * A scheduling decision as the scheduler records it on the pod (annotation
 * scheduling.kubelab.io/decision, version 1, lib/scheduling/decision.ts): per node the first
 * filter that refused it with its reasons, or each score plugin's [raw, normalized] and the
 * weighted total; the pick; the reasons histogram. A record this page cannot read is shown raw,
 * with why, so a newer scheduler never makes the page lie.
 */
export function parseDecision(text) {
  if (text === undefined) return undefined;
  let record;
  try {
    record = JSON.parse(text);
  } catch (err) {
    return { error: `the annotation is not JSON: ${err.message}`, raw: text, rows: [], scorePlugins: [], reasons: [] };
  }
  if (record?.v !== 1 || !Array.isArray(record.rows)) {
    return { error: `a decision record this page cannot read (version ${JSON.stringify(record?.v)})`, raw: text, rows: [], scorePlugins: [], reasons: [] };
  }
  return {
    result: record.result,
    picked: record.picked,
    nodes: record.nodes,
    feasible: record.feasible,
    omitted: record.omitted ?? 0,
    preFilter: record.preFilter,
    scorePlugins: (record.scores ?? []).map((s) => ({ name: s.name, weight: s.weight ?? 1 })),
    rows: record.rows.map((row) => ({
      node: row.node,
      picked: row.node === record.picked,
      rejectedBy: row.rejectedBy,
      reasons: row.reasons ?? [],
      scores: (row.scores ?? []).map(([raw, normalized]) => ({ raw, normalized })),
      total: row.total,
    })),
    reasons: Object.entries(record.reasons ?? {}).sort(([, a], [, b]) => b - a),
    raw: text,
  };
}

/** The scheduling page: every pod, newest first, with its decision or an honest "none recorded". */
export function decisionsView(pods) {
  return [...pods]
    .sort((a, b) => ms(b.metadata.creationTimestamp) - ms(a.metadata.creationTimestamp) || byName(a, b))
    .map((pod) => ({
      key: keyOf(pod),
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      nodeName: pod.spec?.nodeName,
      state: podState(pod),
      unschedulable: conditionOf(pod, 'PodScheduled')?.status === 'False' ? conditionOf(pod, 'PodScheduled').message ?? 'not scheduled' : undefined,
      decision: parseDecision(pod.metadata.annotations?.[DECISION_ANNOTATION]),
    }));
}

/** When an event happened: its last occurrence (core/v1), else its eventTime, else when it was stored. */
export const eventTime = (event) => event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;

/** The events page: oldest to newest (a timeline), the last `limit` only. */
export function eventsTimeline(events, limit = 200) {
  return [...events]
    .map((event) => ({
      key: keyOf(event),
      time: eventTime(event),
      type: event.type ?? 'Normal',
      reason: event.reason ?? '',
      object: `${event.involvedObject?.kind ?? ''}/${event.involvedObject?.name ?? ''}`.toLowerCase(),
      namespace: event.involvedObject?.namespace ?? event.metadata.namespace,
      source: event.source?.component ?? event.reportingComponent ?? '',
      message: event.message ?? '',
      count: event.count ?? 1,
    }))
    .sort((a, b) => ms(a.time) - ms(b.time) || a.key.localeCompare(b.key))
    .slice(-limit);
}

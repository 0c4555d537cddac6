// The promises a fault scenario checks once the cluster has settled, as pure functions over what
// the API and the hosts' engines report:
//   - every replica Ready: the workload has exactly as many live pods as it asks for, all Ready;
//   - no duplicate pods: no pod runs on two hosts, no host runs a pod the API has gone or has
//     bound elsewhere (a partitioned host's old copy), no two pods of one name run at once (two
//     copies of one StatefulSet ordinal would be the worst case of this);
//   - no object lost: every object that existed before the fault exists after it, same uid.
// The scenarios read the objects and the containers; these functions only judge them.

import type { KubeObject, Pod } from '../../../lib/api/types.js';

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** What was seen: the count when it held, what broke when it did not. */
  detail: string;
}

/** A container a host's engine reports for a pod (read through the engine's labels). */
export interface HostContainer {
  host: string;
  id: string;
  podUid: string;
  podNamespace: string;
  podName: string;
  /** `sandbox` (the infra container) or `app`. */
  role: string;
  running: boolean;
}

const isReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const isLive = (pod: Pod) => !pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';

/** The workload's live pods are exactly `desired`, and every one is Ready. */
export function checkReplicasReady(workload: string, desired: number, pods: Pod[]): InvariantResult {
  const live = pods.filter(isLive);
  const ready = live.filter(isReady);
  const name = 'every replica Ready';
  if (live.length === desired && ready.length === desired) return { name, ok: true, detail: `${workload}: ${ready.length}/${desired} Ready` };
  const notReady = live.filter((p) => !isReady(p)).map((p) => `${p.metadata.name} (${p.status?.phase ?? 'no status'} on ${p.spec.nodeName ?? 'no node'})`);
  const parts = [`${workload}: ${live.length} live pods for ${desired} replicas, ${ready.length} Ready`];
  if (notReady.length > 0) parts.push(`not Ready: ${notReady.join(', ')}`);
  return { name, ok: false, detail: parts.join('; ') };
}

/**
 * No pod runs twice. Only running containers count: an exited one is history, and the kubelet
 * may keep the last attempt for `logs --previous`. `namespace` limits the check to the
 * scenario's own pods.
 */
export function checkNoDuplicatePods(namespace: string, pods: Pod[], containers: HostContainer[], unreachableHosts: string[] = []): InvariantResult {
  const name = 'no duplicate pods';
  // A host whose engine does not answer may run anything: the promise cannot be checked.
  if (unreachableHosts.length > 0) return { name, ok: false, detail: `the engine of ${unreachableHosts.join(', ')} did not answer: cannot tell what runs there` };
  const byUid = new Map(pods.filter((p) => p.metadata.namespace === namespace).map((p) => [p.metadata.uid!, p]));
  const running = containers.filter((c) => c.running && c.podNamespace === namespace);
  const problems: string[] = [];

  const hostsOfUid = new Map<string, Set<string>>();
  const uidsOfName = new Map<string, Set<string>>();
  for (const c of running) {
    hostsOfUid.set(c.podUid, (hostsOfUid.get(c.podUid) ?? new Set()).add(c.host));
    uidsOfName.set(c.podName, (uidsOfName.get(c.podName) ?? new Set()).add(c.podUid));
  }
  for (const [uid, hosts] of hostsOfUid) {
    const pod = byUid.get(uid);
    const podName = pod?.metadata.name ?? running.find((c) => c.podUid === uid)!.podName;
    if (hosts.size > 1) problems.push(`pod ${podName} runs on ${[...hosts].sort().join(' and ')}`);
    for (const host of hosts) {
      if (!pod) problems.push(`${host} still runs pod ${podName} (uid ${uid}), which the API no longer has`);
      else if (pod.spec.nodeName !== host) problems.push(`${host} still runs pod ${podName}, which the API has on ${pod.spec.nodeName ?? 'no node'}`);
    }
  }
  for (const [podName, uids] of uidsOfName) {
    if (uids.size > 1) problems.push(`${uids.size} copies of pod ${podName} run at once (uids ${[...uids].sort().join(', ')})`);
  }
  if (problems.length > 0) return { name, ok: false, detail: problems.join('; ') };
  return { name, ok: true, detail: `${hostsOfUid.size} pods, each running once, on the host the API binds it to` };
}

/** An object as the no-object-lost check remembers it. */
export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

export function objectRef(kind: string, object: KubeObject): ObjectRef {
  return { kind, namespace: object.metadata.namespace, name: object.metadata.name!, uid: object.metadata.uid! };
}

const describeRef = (ref: ObjectRef) => `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/** Every object of `before` is in `after` with the same uid (a recreated object is a lost one). */
export function checkNoObjectLost(before: ObjectRef[], after: ObjectRef[]): InvariantResult {
  const name = 'no object lost';
  const key = (ref: ObjectRef) => `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
  const now = new Map(after.map((ref) => [key(ref), ref]));
  const problems: string[] = [];
  for (const ref of before) {
    const found = now.get(key(ref));
    if (!found) problems.push(`${describeRef(ref)} is gone`);
    else if (found.uid !== ref.uid) problems.push(`${describeRef(ref)} was replaced (uid ${ref.uid} -> ${found.uid})`);
  }
  if (problems.length > 0) return { name, ok: false, detail: problems.join('; ') };
  return { name, ok: true, detail: `all ${before.length} objects from before the fault are there, same uids` };
}

/** A container that must not have restarted: the same Docker container, the same restart count. */
export interface ContainerIdentity {
  pod: string;
  container: string;
  containerID: string;
  restartCount: number;
}

/** Every container of `before` is still the same one (daemon restart: nothing restarted). */
export function checkNothingRestarted(before: ContainerIdentity[], after: ContainerIdentity[]): InvariantResult {
  const name = 'no container restarted';
  const now = new Map(after.map((c) => [`${c.pod}/${c.container}`, c]));
  const problems: string[] = [];
  for (const c of before) {
    const found = now.get(`${c.pod}/${c.container}`);
    if (!found) problems.push(`${c.pod}/${c.container} is gone`);
    else if (found.containerID !== c.containerID) problems.push(`${c.pod}/${c.container} is a new container (${short(c.containerID)} -> ${short(found.containerID)})`);
    else if (found.restartCount !== c.restartCount) problems.push(`${c.pod}/${c.container} restartCount ${c.restartCount} -> ${found.restartCount}`);
  }
  if (problems.length > 0) return { name, ok: false, detail: problems.join('; ') };
  return { name, ok: true, detail: `${before.length} containers, same IDs and restart counts` };
}

const short = (containerID: string) => containerID.replace(/^\w+:\/\//, '').slice(0, 12);

/** Requests through a Service: none may fail. */
export function checkNoFailedRequests(ok: number, failed: number, failures: string[] = []): InvariantResult {
  const name = '0 failed requests';
  if (failed === 0 && ok > 0) return { name, ok: true, detail: `${ok} requests, 0 failed` };
  if (ok === 0 && failed === 0) return { name, ok: false, detail: 'no request was made: the load generator did not run' };
  const sample = failures.slice(0, 3).join('; ');
  return { name, ok: false, detail: `${failed} of ${ok + failed} requests failed${sample ? `: ${sample}` : ''}` };
}

/** `  ok    every replica Ready: web: 3/3 Ready` / `  FAIL  ...` */
export function formatInvariant(result: InvariantResult): string {
  return `  ${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}: ${result.detail}`;
}

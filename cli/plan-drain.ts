// Which pods `kubelab drain` evicts, and which ones stop it: kubectl's drain filters
// (k8s.io/kubectl/pkg/drain/filters.go) as one pure function.
//
// Draining empties a node for maintenance, and it must not lose anything silently. So each pod on
// the node goes through the filters in kubectl's order, each one saying "evict", "evict, but
// warn", "skip" or "refuse":
//
//   DaemonSet-managed   skip with a warning under --ignore-daemonsets, else refuse: its
//                       controller would put it straight back on this node
//   mirror pod          skip: a static pod's API copy; deleting it does not stop it
//   emptyDir volume     refuse unless --delete-emptydir-data: its data dies with the pod
//   no controller       refuse unless --force: nothing would recreate it anywhere
//
// A later warning replaces an earlier one, and a later refusal overrides a warning (a pod with
// emptyDir and no controller needs both flags); a refusal or a skip ends the pod's run. Pods that have finished (Succeeded, Failed)
// lose nothing by going, so only the DaemonSet and mirror checks apply to them. One refused pod
// refuses the whole drain, before anything is evicted.

import type { Pod } from '../lib/api/types.js';

export interface DrainFlags {
  force: boolean;
  ignoreDaemonsets: boolean;
  deleteEmptydirData: boolean;
}

export interface DrainPlan {
  /** The pods to evict, in the order listed. */
  evict: Pod[];
  /** kubectl's error lines: `cannot delete <why>: ns/a, ns/b`; non-empty means nothing is evicted. */
  errors: string[];
  /** kubectl's one warning line (without `Warning: `): `<what>: ns/a; <what>: ns/b`, or ''. */
  warning: string;
}

/** One pod's fate: evicted or not, and the warning or the refusal that goes with it. */
export interface Verdict {
  delete: boolean;
  warning?: string;
  error?: string;
}

const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
const LOCAL_STORAGE_WARNING = 'deleting Pods with local storage';
const UNMANAGED_FATAL = 'Pods that declare no controller (use --force to override)';
const UNMANAGED_WARNING = 'deleting Pods that declare no controller';
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

type Filter = (pod: Pod, flags: DrainFlags) => Verdict;

const controllerOf = (pod: Pod) => pod.metadata.ownerReferences?.find((o) => o.controller);
const hasFinished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

const daemonSetFilter: Filter = (pod, flags) => {
  if (controllerOf(pod)?.kind !== 'DaemonSet') return { delete: true };
  return flags.ignoreDaemonsets ? { delete: false, warning: DAEMONSET_WARNING } : { delete: false, error: DAEMONSET_FATAL };
};

const mirrorPodFilter: Filter = (pod) => (pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined ? { delete: false } : { delete: true });

const localStorageFilter: Filter = (pod, flags) => {
  if (hasFinished(pod) || !(pod.spec.volumes ?? []).some((v) => v.emptyDir !== undefined)) return { delete: true };
  return flags.deleteEmptydirData ? { delete: true, warning: LOCAL_STORAGE_WARNING } : { delete: false, error: LOCAL_STORAGE_FATAL };
};

const unreplicatedFilter: Filter = (pod, flags) => {
  if (hasFinished(pod) || controllerOf(pod)) return { delete: true };
  return flags.force ? { delete: true, warning: UNMANAGED_WARNING } : { delete: false, error: UNMANAGED_FATAL };
};

const FILTERS: readonly Filter[] = [daemonSetFilter, mirrorPodFilter, localStorageFilter, unreplicatedFilter];

/** The verdict on one pod: the first filter that keeps it, else the last warning, else "evict". */
export function judgePod(pod: Pod, flags: DrainFlags): Verdict {
  let verdict: Verdict = { delete: true };
  for (const filter of FILTERS) {
    const next = filter(pod, flags);
    // A plain "evict" keeps an earlier warning; a later warning or refusal replaces it.
    verdict = next.delete && !next.warning ? verdict : next;
    if (!verdict.delete) break;
  }
  return verdict;
}

/** Groups `ns/name` under each message, in the order the messages first appear. */
function groupByMessage(entries: [message: string, pod: Pod][]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const [message, pod] of entries) groups.set(message, [...(groups.get(message) ?? []), `${pod.metadata.namespace}/${pod.metadata.name}`]);
  return groups;
}

export function planDrain(pods: Pod[], flags: DrainFlags): DrainPlan {
  const judged = pods.map((pod) => ({ pod, verdict: judgePod(pod, flags) }));
  const errors = groupByMessage(judged.flatMap(({ pod, verdict }): [string, Pod][] => (verdict.error ? [[verdict.error, pod]] : [])));
  const warnings = groupByMessage(judged.flatMap(({ pod, verdict }): [string, Pod][] => (verdict.warning ? [[verdict.warning, pod]] : [])));
  return {
    evict: judged.filter(({ verdict }) => verdict.delete).map(({ pod }) => pod),
    errors: [...errors].map(([message, names]) => `cannot delete ${message}: ${names.join(', ')}`),
    warning: [...warnings].map(([message, names]) => `${message}: ${names.join(', ')}`).join('; '),
  };
}

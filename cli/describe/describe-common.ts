// Sections several describers share: object metadata, containers (pods and pod templates),
// volumes, conditions, and the Events table that ends every description — the events whose
// involvedObject is this object, found with a field selector on name, namespace and uid.

import type { Container, ContainerStatus, Event, KubeObject, PodTemplateSpec, Toleration, Volume } from '../../lib/api/types.js';
import { ageOf } from '../../lib/time.js';
import type { CliContext } from '../cli-context.js';
import type { DescribeWriter } from './tab-writer.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's RFC1123Z in UTC, as kubectl prints times: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function formatTime(timestamp: string | null | undefined): string {
  if (!timestamp) return '<unset>';
  const d = new Date(timestamp);
  if (Number.isNaN(d.getTime())) return timestamp;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${WEEKDAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

export function describeMetadata(w: DescribeWriter, obj: KubeObject, options: { namespace?: boolean; name?: boolean } = {}): void {
  if (options.name !== false) w.line(0, 'Name:', obj.metadata.name);
  if (options.namespace !== false && obj.metadata.namespace !== undefined) w.line(0, 'Namespace:', obj.metadata.namespace);
  w.map(0, 'Labels', obj.metadata.labels);
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  w.map(0, 'Annotations', annotations, ': ');
}

function containerState(w: DescribeWriter, level: number, label: string, state: ContainerStatus['state'] | undefined): void {
  if (state?.running) {
    w.line(level, `${label}:`, 'Running');
    w.line(level + 1, 'Started:', formatTime(state.running.startedAt));
  } else if (state?.waiting) {
    w.line(level, `${label}:`, 'Waiting');
    w.line(level + 1, 'Reason:', state.waiting.reason);
  } else if (state?.terminated) {
    const t = state.terminated;
    w.line(level, `${label}:`, 'Terminated');
    w.line(level + 1, 'Reason:', t.reason);
    if (t.message) w.line(level + 1, 'Message:', t.message);
    w.line(level + 1, 'Exit Code:', t.exitCode);
    w.line(level + 1, 'Started:', formatTime(t.startedAt));
    w.line(level + 1, 'Finished:', formatTime(t.finishedAt));
  } else if (label === 'State') {
    w.line(level, `${label}:`, 'Waiting');
  }
}

/**
 * The Containers section of a pod (level 0, with statuses) or of a pod template (level 1, without).
 * As in kubectl, only the title follows the level: a template's container names get one extra
 * space (`   web:`) and the fields stay at four spaces either way.
 */
export function describeContainers(w: DescribeWriter, level: number, title: string, containers: Container[], statuses?: ContainerStatus[]): void {
  w.line(level, `${title}:`);
  for (const c of containers) {
    const status = statuses?.find((s) => s.name === c.name);
    w.line(1, `${level > 0 ? ' ' : ''}${c.name}:`);
    if (status) w.line(2, 'Container ID:', status.containerID ?? '');
    w.line(2, 'Image:', c.image);
    if (status) w.line(2, 'Image ID:', status.imageID ?? '');
    const ports = (c.ports ?? []).map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`);
    w.line(2, ports.length > 1 ? 'Ports:' : 'Port:', ports.length ? ports.join(', ') : '<none>');
    w.line(2, 'Host Port:', (c.ports ?? []).length ? (c.ports ?? []).map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ') : '<none>');
    if (c.command?.length) {
      w.line(2, 'Command:');
      for (const part of c.command) w.line(3, part);
    }
    if (c.args?.length) {
      w.line(2, 'Args:');
      for (const part of c.args) w.line(3, part);
    }
    if (status) {
      containerState(w, 2, 'State', status.state);
      if (status.lastState && Object.keys(status.lastState).length) containerState(w, 2, 'Last State', status.lastState);
      w.line(2, 'Ready:', status.ready ? 'True' : 'False');
      w.line(2, 'Restart Count:', status.restartCount);
    }
    const env = c.env ?? [];
    if (env.length === 0) w.line(2, 'Environment:', '<none>');
    else {
      w.line(2, 'Environment:');
      for (const e of env) {
        const from = e.valueFrom?.secretKeyRef
          ? `<set to the key '${e.valueFrom.secretKeyRef.key}' in secret '${e.valueFrom.secretKeyRef.name}'>`
          : e.valueFrom?.configMapKeyRef
            ? `<set to the key '${e.valueFrom.configMapKeyRef.key}' of config map '${e.valueFrom.configMapKeyRef.name}'>`
            : e.valueFrom?.fieldRef
              ? `(${e.valueFrom.fieldRef.apiVersion ?? 'v1'}:${e.valueFrom.fieldRef.fieldPath})`
              : e.value ?? '';
        w.line(3, `${e.name}:`, from);
      }
    }
    const mounts = c.volumeMounts ?? [];
    if (mounts.length === 0) w.line(2, 'Mounts:', '<none>');
    else {
      w.line(2, 'Mounts:');
      for (const m of mounts) w.line(3, `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
    }
  }
}

export function describeVolumes(w: DescribeWriter, level: number, volumes: Volume[] | undefined): void {
  if (!volumes?.length) return void w.line(level, 'Volumes:', '<none>');
  w.line(level, 'Volumes:');
  for (const v of volumes) {
    w.line(level + 1, `${v.name}:`);
    if (v.emptyDir) {
      w.line(level + 2, 'Type:', "EmptyDir (a temporary directory that shares a pod's lifetime)");
      w.line(level + 2, 'Medium:', v.emptyDir.medium ?? '');
    } else if (v.secret) {
      w.line(level + 2, 'Type:', 'Secret (a volume populated by a Secret)');
      w.line(level + 2, 'SecretName:', v.secret.secretName);
      w.line(level + 2, 'Optional:', String(v.secret.optional ?? false));
    } else if (v.hostPath) {
      w.line(level + 2, 'Type:', 'HostPath (bare host directory volume)');
      w.line(level + 2, 'Path:', v.hostPath.path);
    } else if (v.configMap) {
      w.line(level + 2, 'Type:', 'ConfigMap (a volume populated by a ConfigMap)');
      w.line(level + 2, 'Name:', v.configMap.name);
    } else if (v.persistentVolumeClaim) {
      w.line(level + 2, 'Type:', 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)');
      w.line(level + 2, 'ClaimName:', v.persistentVolumeClaim.claimName);
      w.line(level + 2, 'ReadOnly:', String(v.persistentVolumeClaim.readOnly ?? false));
    } else {
      w.line(level + 2, 'Type:', '<unknown>');
    }
  }
}

/** kubectl's DescribePodTemplate (1.32): labels, annotations, containers, volumes, node selectors, tolerations. */
export function describeTemplate(w: DescribeWriter, template: PodTemplateSpec | undefined): void {
  w.line(0, 'Pod Template:');
  w.map(1, 'Labels', template?.metadata?.labels);
  const annotations = { ...(template?.metadata?.annotations ?? {}) };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  if (Object.keys(annotations).length) w.map(1, 'Annotations', annotations, ': ');
  // kubelab's defaulting writes `default` into templates, Kubernetes' only into pods: not worth a line.
  const account = template?.spec?.serviceAccountName;
  if (account && account !== 'default') w.line(1, 'Service Account:', account);
  if (template?.spec?.initContainers?.length) describeContainers(w, 1, 'Init Containers', template.spec.initContainers);
  describeContainers(w, 1, 'Containers', template?.spec?.containers ?? []);
  describeVolumes(w, 1, template?.spec?.volumes);
  w.map(1, 'Node-Selectors', template?.spec?.nodeSelector);
  describeTolerations(w, 1, template?.spec?.tolerations);
}

/** `Tolerations:  key=value:NoSchedule`, one per line, or `<none>`. */
export function describeTolerations(w: DescribeWriter, level: number, tolerations: Toleration[] | undefined): void {
  const text = (tolerations ?? []).map(
    (t) => `${t.key ?? ''}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${t.effect ?? ''}${t.tolerationSeconds !== undefined ? ` for ${t.tolerationSeconds}s` : ''}`,
  );
  w.line(level, 'Tolerations:', text[0] ?? '<none>');
  for (const t of text.slice(1)) w.line(level, '', t);
}

export function describeConditions(w: DescribeWriter, conditions: { type: string; status: string; reason?: string }[] | undefined, withReason: boolean): void {
  if (!conditions?.length) return;
  w.line(0, 'Conditions:');
  w.line(1, 'Type', 'Status', ...(withReason ? ['Reason'] : []));
  w.line(1, '----', '------', ...(withReason ? ['------'] : []));
  for (const c of conditions) w.line(1, c.type, c.status, ...(withReason ? [c.reason ?? ''] : []));
}

/** `5m`, or `3m (x4 over 10m)` for a repeated event. */
function eventAge(e: Event, now: Date): string {
  const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
  const age = ageOf(last ?? undefined, now);
  if ((e.count ?? 1) > 1 && e.firstTimestamp) return `${age} (x${e.count} over ${ageOf(e.firstTimestamp, now)})`;
  return age;
}

/** The Events section: events about this object, oldest first, or `<none>`. */
export async function describeEvents(ctx: CliContext, w: DescribeWriter, obj: KubeObject): Promise<void> {
  const fields = [`involvedObject.name=${obj.metadata.name}`, `involvedObject.namespace=${obj.metadata.namespace ?? ''}`];
  if (obj.metadata.uid) fields.push(`involvedObject.uid=${obj.metadata.uid}`);
  const namespace = obj.metadata.namespace || undefined;
  let events: Event[] = [];
  try {
    events = (await ctx.client.list<Event>('events', { namespace, fieldSelector: fields.join(',') })).items;
  } catch {
    // A server without events still gets the rest of the description.
  }
  if (events.length === 0) return void w.line(0, 'Events:', '<none>');
  const time = (e: Event) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? '') || 0;
  events.sort((a, b) => time(a) - time(b));
  const now = new Date();
  w.line(0, 'Events:');
  w.line(1, 'Type', 'Reason', 'Age', 'From', 'Message');
  w.line(1, '----', '------', '----', '----', '-------');
  for (const e of events) w.line(1, e.type ?? 'Normal', e.reason ?? '', eventAge(e, now), e.source?.component ?? e.reportingComponent ?? '', (e.message ?? '').trim());
}

// crash-looping-pod: a pod whose only container exits 1 at once, with restartPolicy Always. The
// kubelet restarts it at once the first time, then waits longer and longer between restarts
// (CrashLoopBackOff: 10 s, 20 s, 40 s ... up to 5 min), so a broken container does not burn the
// host. The narration shows each restart with the wait before it and the kubelet's own message;
// the invariant is that the waits grow as Kubernetes' do, within the tolerance it reports.

import type { Pod } from '../../../lib/api/types.js';
import { analyseBackoff, formatBackoffRow, type RestartObservation } from './crash-backoff.js';
import { formatSeconds } from './narration.js';
import type { Scenario, ScenarioContext, ScenarioResult } from './scenario.js';

const POD = 'crasher';
/** Restarts to watch: the third waits 20 s, the fourth 40 s, so three back-offs are measured in about 75 s. */
export const CRASH_RESTARTS_WATCHED = 4;

function crashingPod(namespace: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD, namespace },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'main', image: 'kubelab/busybox:1', command: ['sh', '-c', 'echo "starting, and failing at once"; exit 1'] }],
    },
  } as Pod;
}

export const crashLoopingPod: Scenario = {
  name: 'crash-looping-pod',
  summary: `a container that exits 1; watch ${CRASH_RESTARTS_WATCHED} restarts and the CrashLoopBackOff waits between them (10 s, 20 s, 40 s)`,
  minHosts: 1,
  async run(ctx: ScenarioContext): Promise<ScenarioResult> {
    const { narrator, view } = ctx;
    narrator.say(`creating pod ${POD}: one container, "exit 1", restartPolicy Always`);
    await ctx.client.create('pods', crashingPod(ctx.namespace));

    let firstRunAt: number | undefined;
    let lastCount = 0;
    let lastWaiting = '';
    const observations: RestartObservation[] = [];
    const watchStatus = () => {
      const pod = view.pods().find((p) => p.metadata.name === POD);
      const status = pod?.status?.containerStatuses?.find((c) => c.name === 'main');
      if (!status) return;
      const ran = status.state?.running || status.state?.terminated || status.lastState?.terminated || status.restartCount > 0;
      if (firstRunAt === undefined && ran) {
        firstRunAt = narrator.at();
        narrator.say(`${POD} started on ${pod!.spec.nodeName} (restartCount 0)`);
      }
      if (status.restartCount > lastCount) {
        const previousAt = observations.at(-1)?.seenAtMs ?? firstRunAt ?? narrator.at();
        lastCount = status.restartCount;
        observations.push({ restartCount: lastCount, seenAtMs: narrator.at() });
        const exit = status.lastState?.terminated?.exitCode;
        narrator.say(`restart ${lastCount} (restartCount ${lastCount}), ${formatSeconds(narrator.at() - previousAt)} after the previous start; last exit code ${exit ?? '?'}`);
      }
      const waiting = status.state?.waiting;
      if (waiting?.reason === 'CrashLoopBackOff' && `${lastCount}:${waiting.message}` !== lastWaiting) {
        lastWaiting = `${lastCount}:${waiting.message}`;
        narrator.say(`CrashLoopBackOff: ${waiting.message ?? ''}`);
      }
    };
    const unsubscribe = view.onChange(watchStatus);
    try {
      // 0 + 10 + 20 + 40 s of back-off, plus each run: two minutes is ample.
      await view.waitFor(`restartCount ${CRASH_RESTARTS_WATCHED} of ${POD}`, () => (lastCount >= CRASH_RESTARTS_WATCHED ? true : undefined), 180_000);
    } finally {
      unsubscribe();
    }

    const analysis = analyseBackoff(firstRunAt!, observations);
    narrator.print('back-off between restarts (measured from the watch; each includes the container\'s short run):');
    for (const row of analysis.rows) narrator.print(`  ${formatBackoffRow(row)}`);

    narrator.say(`deleting pod ${POD}`);
    await ctx.client.delete('pods', ctx.namespace, POD);
    await view.waitFor(`pod ${POD} gone`, () => (view.pods().some((p) => p.metadata.name === POD) ? undefined : true), 60_000);
    narrator.say(`pod ${POD} is gone`);

    const timeline = `${POD} restarts at ${observations.map((o) => `+${formatSeconds(o.seenAtMs - firstRunAt!)}`).join(', ')} after its first start`;
    const measured = analysis.rows.filter((r) => r.restart > 1).map((r) => formatSeconds(r.intervalMs)).join(', ');
    return {
      timelines: [timeline],
      invariants: [{
        name: 'back-off grows as Kubernetes\' does',
        ok: analysis.ok,
        detail: analysis.ok
          ? `waits ${measured} for Kubernetes' 10 s, 20 s, 40 s ..., each within its tolerance`
          : `outside tolerance: ${analysis.rows.filter((r) => !r.withinTolerance).map(formatBackoffRow).join('; ') || 'no restart measured'}`,
      }],
    };
  },
};

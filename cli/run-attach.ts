// `kubelab run -i [-t] [--rm]`: after the pod is created, wait until its container runs, attach
// to it (pods/NAME/attach: our stdin becomes the main process's stdin, its output ours), and
// when the session ends, with --rm, delete the pod. A pod that finished before we could attach
// has its logs printed instead, as kubectl does. With --restart=Never the pod's end decides
// our exit code: a container that failed ends the command with its exit code.

import type { Pod } from '../lib/api/types.js';
import { attachToPod } from '../lib/client/exec-client.js';
import type { CliContext } from './cli-context.js';
import { CliExit } from './cli-errors.js';

const finished = (pod: Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const running = (pod: Pod) => finished(pod) || (pod.status?.containerStatuses ?? []).some((c) => c.state?.running);

/** Resolves with the pod once `done(pod)` holds: a list, then a watch, never a polling loop. */
export async function waitForPod(ctx: CliContext, name: string, done: (pod: Pod) => boolean): Promise<Pod> {
  const fieldSelector = `metadata.name=${name}`;
  for (;;) {
    const list = await ctx.client.list<Pod>('pods', { namespace: ctx.namespace, fieldSelector });
    const now = list.items.find((p) => p.metadata.name === name);
    if (now && done(now)) return now;
    let found: Pod | undefined;
    const watch = ctx.client.watch<Pod>('pods', { namespace: ctx.namespace, fieldSelector, resourceVersion: list.metadata.resourceVersion }, (event) => {
      if (event.type === 'ERROR' || (event.type !== 'DELETED' && event.object.metadata.name === name && done(event.object))) {
        if (event.type !== 'ERROR') found = event.object;
        watch.stop();
      }
    });
    await watch.done;
    if (found) return found;
  }
}

export async function attachToRunPod(ctx: CliContext, name: string, options: { stdin: boolean; tty: boolean; rm: boolean; restartNever: boolean }): Promise<void> {
  const pod = await waitForPod(ctx, name, running);
  if (finished(pod)) {
    const logs = await ctx.client.logs(ctx.namespace, name);
    for await (const chunk of logs) process.stdout.write(chunk as Buffer);
  } else {
    if (options.stdin) ctx.err("If you don't see a command prompt, try pressing enter.\n");
    if (options.tty && process.stdin.isTTY) process.stdin.setRawMode(true);
    try {
      await attachToPod(ctx.config, { namespace: ctx.namespace, pod: name, container: name, stdin: options.stdin ? process.stdin : undefined, stdout: process.stdout, stderr: process.stderr, tty: options.tty });
    } finally {
      if (options.tty && process.stdin.isTTY) process.stdin.setRawMode(false);
      if (options.stdin) process.stdin.pause();
    }
  }
  const ended = options.restartNever ? await waitForPod(ctx, name, finished) : undefined;
  if (options.rm) {
    await ctx.client.delete('pods', ctx.namespace, name, {});
    ctx.out(`pod "${name}" deleted\n`);
  }
  const terminated = ended?.status?.containerStatuses?.[0]?.state?.terminated;
  if (ended?.status?.phase === 'Failed' && terminated) {
    ctx.err(`pod ${ctx.namespace}/${name} terminated (${terminated.reason ?? 'Error'})\n`);
    throw new CliExit(terminated.exitCode || 1);
  }
}

// `kubelab rollout status deployment/NAME`: follow a rollout until it is done, as kubectl does.
//
// The command lists the Deployment (by a field selector on its name), judges that version
// (cli/rollout/deployment-status.ts), then watches from the list's resourceVersion and judges
// every new version, printing each new message once. It ends with exit 0 when the rollout is
// done, and with an error (exit 1) when the progress deadline is exceeded, the Deployment is
// deleted, or --timeout passes. A watch the server closes is simply listed and opened again.

import type { Argv } from 'yargs';
import type { DaemonSet, Deployment, KubeObject, StatefulSet } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { daemonSetRolloutStatus } from '../rollout/daemon-set-rollout.js';
import { statefulSetRolloutStatus } from '../rollout/stateful-set-rollout.js';
import { deploymentRolloutStatus, type RolloutStatus } from '../rollout/deployment-status.js';
import { parseGoDurationMs } from '../rollout/go-duration.js';
import { groupKind, rolloutTargets } from '../rollout/rollout-target.js';
import type { KubelabCommand } from './index.js';

export interface RolloutStatusOptions {
  args: string[];
  watch: boolean;
  timeout: string;
  revision: number;
}

export const rolloutStatusCommand: KubelabCommand<RolloutStatusOptions> = {
  command: 'status [args..]',
  describe: 'Show the status of a rollout, waiting until it is done',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'deployment/NAME, daemonset/NAME or statefulset/NAME' })
      .option('watch', { alias: 'w', type: 'boolean', default: true, describe: 'keep watching until the rollout is done' })
      .option('timeout', { type: 'string', default: '0s', describe: 'give up after this long (e.g. 5m); 0 waits forever' })
      .option('revision', { type: 'number', default: 0, describe: 'require this revision to be the one rolling out' }) as unknown as Argv<
      GlobalOptions & RolloutStatusOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runRolloutStatus(ctx, argv)),
};

export async function runRolloutStatus(ctx: CliContext, options: RolloutStatusOptions): Promise<void> {
  const timeoutMs = parseGoDurationMs(options.timeout, 'timeout');
  const targets = rolloutTargets(options.args, ({ info }) => `no status viewer has been implemented for ${groupKind(info)}`, ['Deployment', 'DaemonSet', 'StatefulSet']);
  for (const { info, name } of targets) {
    const resource = `${info.plural}.${info.group}`;
    const statusOf = (obj: KubeObject) =>
      info.kind === 'DaemonSet'
        ? daemonSetRolloutStatus(obj as DaemonSet)
        : info.kind === 'StatefulSet'
          ? statefulSetRolloutStatus(obj as StatefulSet)
          : deploymentRolloutStatus(obj as Deployment, options.revision);
    if (!options.watch) {
      ctx.out(statusOf(await ctx.client.get(resource, ctx.namespace, name)).message);
      continue;
    }
    await followRollout(ctx, resource, name, statusOf, timeoutMs);
  }
}

type WatchOutcome = 'done' | 'relist' | 'timeout';

async function followRollout(ctx: CliContext, resource: string, name: string, statusOf: (obj: KubeObject) => RolloutStatus, timeoutMs: number): Promise<void> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const fieldSelector = `metadata.name=${name}`;
  let lastMessage = '';
  /** Prints the status of this version if it is news; true when the rollout is done. */
  const judge = (obj: KubeObject): boolean => {
    const status = statusOf(obj);
    if (status.message !== lastMessage) ctx.out(status.message);
    lastMessage = status.message;
    return status.done;
  };

  for (;;) {
    const list = await ctx.client.list(resource, { namespace: ctx.namespace, fieldSelector });
    const d = list.items[0];
    if (!d) throw new CliError('object has been deleted');
    if (judge(d)) return;
    const outcome = await new Promise<WatchOutcome>((resolve, reject) => {
      const timer = deadline === Infinity ? undefined : setTimeout(() => finish(() => resolve('timeout')), Math.max(0, deadline - Date.now()));
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        watch.stop();
        settle();
      };
      const watch = ctx.client.watch(
        resource,
        { namespace: ctx.namespace, fieldSelector, resourceVersion: list.metadata.resourceVersion },
        (event) => {
          if (event.type === 'ERROR') return finish(() => resolve('relist'));
          if (event.type === 'DELETED') return finish(() => reject(new CliError('object has been deleted')));
          if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
          try {
            if (judge(event.object)) finish(() => resolve('done'));
          } catch (err) {
            finish(() => reject(err));
          }
        },
      );
      watch.done.then(
        () => finish(() => resolve('relist')),
        (err: unknown) => finish(() => reject(err)),
      );
    });
    if (outcome === 'done') return;
    if (outcome === 'timeout') throw new CliError('timed out waiting for the condition');
  }
}

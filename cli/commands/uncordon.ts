// `kubelab uncordon NODE`: make a cordoned (or drained) node schedulable again. Pods that were
// evicted do not come back by themselves; new and still-Pending pods may now be placed here.

import { withCliContext } from '../cli-context.js';
import { nodeArgsBuilder, runSetUnschedulable, type NodeArgs } from './cordon.js';
import type { KubelabCommand } from './index.js';

export const uncordonCommand: KubelabCommand<NodeArgs> = {
  command: 'uncordon [nodes..]',
  describe: 'Mark node as schedulable',
  builder: nodeArgsBuilder,
  handler: (argv) => withCliContext(argv, (ctx) => runSetUnschedulable(ctx, argv.nodes, false)),
};

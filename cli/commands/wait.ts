// `kubelab wait --for=condition=TYPE[=STATUS] TYPE/NAME... [--timeout=30s]` and
// `--for=delete`: block until each object has the condition (case-insensitive, as kubectl
// compares it) or is gone, then print `job.batch/pi condition met`. kubectl waits through a
// watch; kubelab asks again every half second, which reads more simply and is as quick for a
// person at a terminal.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { KubeObject } from '../../lib/api/types.js';
import { isNotFound } from '../../lib/errors.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { resolveObjectRefs } from '../object-refs.js';
import { parseGoDurationMs } from '../rollout/go-duration.js';
import type { KubelabCommand } from './index.js';

export interface WaitOptions {
  args: string[];
  for: string;
  timeout: string;
  selector?: string;
  filename?: string[];
}

const POLL_MS = 500;

export type WaitFor = { kind: 'delete' } | { kind: 'condition'; type: string; status: string };

/** `condition=Complete`, `condition=Ready=False`, `delete` (pure). */
export function parseWaitFor(text: string): WaitFor {
  if (text === 'delete') return { kind: 'delete' };
  const match = /^condition=([^=]+)(?:=(.+))?$/i.exec(text);
  if (!match) throw new CliError(`unrecognized condition: "${text}" (use --for=condition=TYPE[=STATUS] or --for=delete)`);
  return { kind: 'condition', type: match[1], status: match[2] ?? 'True' };
}

/** Whether `obj` has the condition, its type compared case-insensitively as kubectl does (pure). */
export function hasCondition(obj: KubeObject, type: string, status: string): boolean {
  const conditions = ((obj.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []);
  return conditions.some((c) => c.type?.toLowerCase() === type.toLowerCase() && c.status?.toLowerCase() === status.toLowerCase());
}

export const waitCommand: KubelabCommand<WaitOptions> = {
  command: 'wait [args..]',
  describe: 'Wait until objects have a condition, or are deleted',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [], describe: 'TYPE/NAME... or TYPE NAME...' })
      .option('for', { type: 'string', demandOption: true, describe: 'condition=TYPE[=STATUS] or delete' })
      .option('timeout', { type: 'string', default: '30s', describe: 'give up after this long (e.g. 2m)' })
      .option('selector', { alias: 'l', type: 'string', describe: 'every object of TYPE matching this label selector' })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'the objects of these files' }) as unknown as Argv<GlobalOptions & WaitOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runWait(ctx, argv)),
};

export async function runWait(ctx: CliContext, options: WaitOptions): Promise<void> {
  const waitFor = parseWaitFor(options.for);
  const timeoutMs = parseGoDurationMs(options.timeout, 'timeout');
  const refs = await resolveObjectRefs(ctx, { args: options.args, selector: options.selector, filename: options.filename });
  if (refs.length === 0) throw new CliError('no matching resources found');
  const deadline = Date.now() + timeoutMs;
  for (const ref of refs) {
    const resource = resourceKey(ref.info);
    const shown = `${ref.info.group ? `${ref.info.singular}.${ref.info.group}` : ref.info.singular}/${ref.name}`;
    for (;;) {
      let obj: KubeObject | undefined;
      try {
        obj = await ctx.client.get(resource, ref.namespace, ref.name);
      } catch (error) {
        // Gone is what --for=delete waits for; for a condition it is an error (`jobs.batch "x" not found`).
        if (!isNotFound(error) || waitFor.kind !== 'delete') throw error;
      }
      if (waitFor.kind === 'delete' && !obj) {
        ctx.out(`${shown} condition met\n`);
        break;
      }
      if (waitFor.kind === 'condition' && obj && hasCondition(obj, waitFor.type, waitFor.status)) {
        ctx.out(`${shown} condition met\n`);
        break;
      }
      if (Date.now() >= deadline) throw new CliError(`timed out waiting for the condition on ${ref.info.plural}/${ref.name}`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    }
  }
}

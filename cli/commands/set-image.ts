// `kubelab set image TYPE/NAME CONTAINER=IMAGE ...`: change the image of containers in a pod, or
// in the pod template of a deployment, replica set or replication controller (for a Deployment,
// that starts a rollout).
//
// Like kubectl it sends a strategic merge patch that names only the changed containers (merged
// by name) plus `$setElementOrder/containers`, the order of all of them, so the server keeps the
// list as it is. Nothing changes, nothing is sent and nothing printed; a container name that is
// not there is an error (and exit 1) after the other objects have been handled.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import type { Container, KubeObject, PodSpec } from '../../lib/api/types.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { resolveObjectRefs } from '../object-refs.js';
import { kindSlashName } from '../printers/name-printer.js';
import type { KubelabCommand } from './index.js';

export interface SetImageOptions {
  args: string[];
  filename?: string[];
  selector?: string;
  all?: boolean;
}

export const setImageCommand: KubelabCommand<SetImageOptions> = {
  command: 'image [args..]',
  describe: 'Update the image of containers: TYPE/NAME CONTAINER=IMAGE ... (* = every container)',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('args', { type: 'string', array: true, default: [] })
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'the objects named in these files' })
      .option('selector', { alias: 'l', type: 'string', describe: 'every object of the type matching this label selector' })
      .option('all', { type: 'boolean', describe: 'every object of the type in the namespace' }) as unknown as Argv<GlobalOptions & SetImageOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runSetImage(ctx, argv)),
};

export interface SetImagePlan {
  /** The part of the patch for the pod spec; undefined when no image changes. */
  specPatch?: Record<string, unknown>;
  /** Container names given that the pod spec does not have. */
  missing: string[];
}

/** Which containers change, as the strategic merge patch of a pod spec. */
export function planSetImage(spec: PodSpec, images: Map<string, string>): SetImagePlan {
  const specPatch: Record<string, unknown> = {};
  const found = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    const containers: Container[] = spec[list] ?? [];
    const changed: { image: string; name: string }[] = [];
    for (const c of containers) {
      const image = images.get(c.name) ?? images.get('*');
      if (image === undefined) continue;
      found.add(images.has(c.name) ? c.name : '*');
      if (c.image !== image) changed.push({ image, name: c.name });
    }
    if (changed.length === 0) continue;
    specPatch[`$setElementOrder/${list}`] = containers.map((c) => ({ name: c.name }));
    specPatch[list] = changed;
  }
  const missing = [...images.keys()].filter((name) => !found.has(name));
  return { specPatch: Object.keys(specPatch).length ? specPatch : undefined, missing };
}

/** `name=image` arguments; the others name objects. */
export function parseImageArgs(args: string[]): { objectArgs: string[]; images: Map<string, string> } {
  const images = new Map<string, string>();
  const objectArgs: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) objectArgs.push(arg);
    else if (eq === 0 || eq === arg.length - 1) throw new CliError(`invalid image update "${arg}": expected CONTAINER_NAME=IMAGE`);
    else images.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  if (images.size === 0) throw new CliError('at least one image update is required');
  return { objectArgs, images };
}

function podSpecOf(obj: KubeObject): { spec: PodSpec; wrap: (specPatch: unknown) => unknown } | undefined {
  const o = obj as KubeObject & { spec?: { containers?: Container[]; template?: { spec?: PodSpec } } };
  if (obj.kind === 'Pod' && o.spec) return { spec: o.spec as PodSpec, wrap: (p) => ({ spec: p }) };
  if (o.spec?.template?.spec) return { spec: o.spec.template.spec, wrap: (p) => ({ spec: { template: { spec: p } } }) };
  return undefined;
}

export async function runSetImage(ctx: CliContext, options: SetImageOptions): Promise<void> {
  const { objectArgs, images } = parseImageArgs(options.args);
  const refs = await resolveObjectRefs(ctx, { args: objectArgs, filename: options.filename, selector: options.selector, all: options.all });
  for (const ref of refs) {
    const resource = resourceKey(ref.info);
    try {
      const live = await ctx.client.get(resource, ref.namespace, ref.name);
      live.kind ??= ref.info.kind;
      const target = podSpecOf(live);
      if (!target) throw new CliError(`${kindSlashName(ref.info, ref.name)} the object is not a pod or does not have a pod template`);
      const plan = planSetImage(target.spec, images);
      if (plan.specPatch) {
        await ctx.client.patch(resource, ref.namespace, ref.name, target.wrap(plan.specPatch), 'strategic', { fieldManager: 'kubectl-set' });
        ctx.out(`${kindSlashName(ref.info, ref.name)} image updated\n`);
      }
      for (const name of plan.missing) ctx.fail(new CliError(`unable to find container named "${name}"`));
    } catch (err) {
      ctx.fail(err);
    }
  }
}

// The objects a write command (delete, label, annotate) acts on, from any of the ways kubectl
// lets you name them: TYPE NAME..., TYPE/NAME..., -f FILE, or TYPE with -l SELECTOR / --all.

import { resourceKey, type ResourceInfo } from '../lib/api/resources.js';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-errors.js';
import { loadManifestObjects } from './manifest-sources.js';
import { parseResourceArgs } from './resource-args.js';

export interface ObjectRef {
  info: ResourceInfo;
  /** Undefined for cluster-scoped resources. */
  namespace?: string;
  name: string;
}

export interface ObjectSelection {
  args: string[];
  filename?: string[];
  selector?: string;
  all?: boolean;
  allNamespaces?: boolean;
}

export async function resolveObjectRefs(ctx: CliContext, selection: ObjectSelection): Promise<ObjectRef[]> {
  if (selection.filename?.length) {
    if (selection.args.length) throw new CliError('name cannot be provided when a path is specified (-f)');
    const objects = await loadManifestObjects(selection.filename, ctx.namespace, ctx.namespaceFromFlag);
    return objects.map(({ info, object }) => ({ info, namespace: object.metadata.namespace, name: object.metadata.name ?? '' }));
  }
  const targets = parseResourceArgs(selection.args);
  const refs: ObjectRef[] = [];
  for (const { info, names } of targets) {
    const namespace = info.namespaced ? ctx.namespace : undefined;
    if (names.length > 0) {
      if (selection.selector || selection.all) throw new CliError('name cannot be provided when a selector or --all is specified');
      refs.push(...names.map((name) => ({ info, namespace, name })));
      continue;
    }
    if (!selection.selector && !selection.all) throw new CliError('resource(s) were provided, but no name was specified');
    const listNamespace = selection.allNamespaces ? undefined : namespace;
    const list = await ctx.client.list(resourceKey(info), { namespace: listNamespace, labelSelector: selection.selector });
    refs.push(...list.items.map((o) => ({ info, namespace: info.namespaced ? o.metadata.namespace : undefined, name: o.metadata.name ?? '' })));
  }
  return refs;
}

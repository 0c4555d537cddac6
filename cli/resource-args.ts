// What `kubelab get|delete|describe|label ...` arguments name: kubectl accepts
//   TYPE[,TYPE...] [NAME...]     pods web db / pod,svc / all
//   TYPE/NAME [TYPE/NAME...]     pod/web svc/web
// Types are resolved against lib/api/resources.ts as kubectl resolves them against discovery:
// plural, singular, Kind or short name, any case, optionally `.group`.

import { RESOURCES, resolveResourceName, type ResourceInfo } from '../lib/api/resources.js';
import { CliError } from './cli-errors.js';

export interface ResourceTarget {
  info: ResourceInfo;
  /** Empty: every object of the type (in the namespace, or matching a selector). */
  names: string[];
}

export function resolveType(typed: string): ResourceInfo {
  const info = resolveResourceName(typed);
  if (!info) throw new CliError(`the server doesn't have a resource type "${typed}"`);
  return info;
}

/** `all` is every resource in the category `all`, as kubectl's `get all`. */
export function resolveTypes(list: string): ResourceInfo[] {
  const types: ResourceInfo[] = [];
  for (const typed of list.split(',').filter(Boolean)) {
    const infos = typed.toLowerCase() === 'all' ? RESOURCES.filter((r) => r.categories.includes('all')) : [resolveType(typed)];
    for (const info of infos) if (!types.includes(info)) types.push(info);
  }
  return types;
}

export function parseResourceArgs(args: string[]): ResourceTarget[] {
  if (args.length === 0) {
    throw new CliError('you must specify the type of resource to get. Use "kubelab api-resources" for a complete list of supported resources.');
  }
  if (args[0].includes('/')) {
    const targets: ResourceTarget[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      if (slash <= 0 || slash === arg.length - 1) {
        throw new CliError(
          `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubelab get resource/<resource_name>' instead of 'kubelab get resource resource/<resource_name>'), got "${arg}"`,
        );
      }
      const info = resolveType(arg.slice(0, slash));
      const existing = targets.find((t) => t.info === info);
      if (existing) existing.names.push(arg.slice(slash + 1));
      else targets.push({ info, names: [arg.slice(slash + 1)] });
    }
    return targets;
  }
  const [types, ...names] = args;
  if (names.some((n) => n.includes('/'))) {
    throw new CliError(
      `there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubelab get resource/<resource_name>' instead of 'kubelab get resource resource/<resource_name>')`,
    );
  }
  return resolveTypes(types).map((info) => ({ info, names: [...names] }));
}

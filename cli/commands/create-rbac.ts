// `kubelab create role|clusterrole NAME --verb=... --resource=... [--resource-name=...]
// [--non-resource-url=...] [--aggregation-rule=k=v]` and `kubelab create rolebinding|
// clusterrolebinding NAME --role=|--clusterrole= [--user=] [--group=] [--serviceaccount=NS:NAME]`:
// kubectl's RBAC generators (pkg/cmd/create/create_role.go, create_rolebinding.go). As kubectl
// does, a role gets one rule per API group of the resources named, each with every verb and
// resource name given, and the groups in sorted order.

import type { Argv } from 'yargs';
import { resolveResourceName } from '../../lib/api/resources.js';
import { RBAC_API_VERSION, RBAC_GROUP, type ClusterRole, type PolicyRule, type RoleBinding, type Subject } from '../../lib/api/rbac-types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { createGenerated } from './create-generators.js';

const VALID_VERBS = ['*', 'get', 'delete', 'list', 'create', 'update', 'patch', 'watch', 'proxy', 'deletecollection', 'use', 'bind', 'escalate', 'impersonate'];
const NON_RESOURCE_VERBS = ['*', 'get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

/** `--verb=get,list --verb=watch` → [get, list, watch]. */
const splitAll = (values: string[] | undefined): string[] => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export interface RoleFlags {
  verb?: string[];
  resource?: string[];
  resourceName?: string[];
  nonResourceUrl?: string[];
}

/** The rules kubectl's `create role` builds from its flags; throws kubectl's messages for bad ones. */
export function rulesFromFlags(flags: RoleFlags, clusterScoped: boolean): PolicyRule[] {
  const verbs = splitAll(flags.verb);
  const resources = splitAll(flags.resource);
  const urls = splitAll(flags.nonResourceUrl);
  const names = splitAll(flags.resourceName);
  if (verbs.length === 0) throw new CliError('at least one verb must be specified');
  if (resources.length === 0 && urls.length === 0) throw new CliError(clusterScoped ? 'one of resource or nonResourceURL must be specified' : 'at least one resource must be specified');
  if (resources.length > 0) {
    for (const verb of verbs) if (!VALID_VERBS.includes(verb)) throw new CliError(`invalid verb: '${verb}'`);
  }
  if (urls.length > 0) {
    for (const verb of verbs) if (!NON_RESOURCE_VERBS.includes(verb)) throw new CliError(`invalid verb: '${verb}' for nonResourceURL`);
    for (const url of urls) if (!url.startsWith('/') && url !== '*') throw new CliError(`nonResourceURL should start with /`);
  }
  const byGroup = new Map<string, string[]>();
  for (const typed of resources) {
    const [base, subresource] = typed.split(/\/(.*)/s);
    let group: string;
    let plural: string;
    if (base === '*') [group, plural] = [typed.includes('.') ? base!.split('.').slice(1).join('.') : '', '*'];
    else {
      const info = resolveResourceName(base!);
      if (!info) throw new CliError(`the server doesn't have a resource type "${base}"`);
      [group, plural] = [info.group, info.plural];
    }
    const list = byGroup.get(group) ?? [];
    list.push(subresource ? `${plural}/${subresource}` : plural);
    byGroup.set(group, list);
  }
  const rules: PolicyRule[] = [...byGroup.keys()].sort().map((group) => ({
    verbs,
    apiGroups: [group],
    resources: byGroup.get(group)!,
    ...(names.length ? { resourceNames: names } : {}),
  }));
  if (urls.length) rules.push({ verbs, nonResourceURLs: urls });
  return rules;
}

export interface BindingFlags {
  role?: string;
  clusterrole?: string;
  user?: string[];
  group?: string[];
  serviceaccount?: string[];
}

/** roleRef and subjects of `create rolebinding|clusterrolebinding`. */
export function bindingFromFlags(flags: BindingFlags, clusterScoped: boolean): Pick<RoleBinding, 'roleRef' | 'subjects'> {
  if (clusterScoped && flags.role) throw new CliError('unknown flag: --role');
  if (flags.role && flags.clusterrole) throw new CliError('exactly one of clusterrole or role must be specified');
  if (!flags.role && !flags.clusterrole) throw new CliError(clusterScoped ? 'clusterrole must be specified' : 'exactly one of clusterrole or role must be specified');
  const subjects: Subject[] = [
    ...(flags.user ?? []).map((name): Subject => ({ kind: 'User', apiGroup: RBAC_GROUP, name })),
    ...(flags.group ?? []).map((name): Subject => ({ kind: 'Group', apiGroup: RBAC_GROUP, name })),
    ...(flags.serviceaccount ?? []).map((sa): Subject => {
      const [namespace, name, ...rest] = sa.split(':');
      if (!namespace || !name || rest.length) throw new CliError(`serviceaccount must be <namespace>:<name>`);
      return { kind: 'ServiceAccount', namespace, name };
    }),
  ];
  return {
    roleRef: { apiGroup: RBAC_GROUP, kind: flags.role ? 'Role' : 'ClusterRole', name: (flags.role ?? flags.clusterrole)! },
    ...(subjects.length ? { subjects } : {}),
  };
}

type RoleArgs = GlobalOptions & RoleFlags & { name: string; aggregationRule?: string };
type BindingArgs = GlobalOptions & BindingFlags & { name: string };

const roleOptions = (y: Argv<GlobalOptions>, cluster: boolean) => {
  const built = y
    .positional('name', { type: 'string', demandOption: true })
    .option('verb', { type: 'string', array: true, describe: 'verbs that apply to the resources (repeatable, or comma-separated)' })
    .option('resource', { type: 'string', array: true, describe: 'resources the rules apply to: pods, deployments.apps, pods/log' })
    .option('resource-name', { type: 'string', array: true, describe: 'only these names of the resources' });
  return (cluster
    ? built
        .option('non-resource-url', { type: 'string', array: true, describe: 'URL paths, e.g. /healthz or /apis/*' })
        .option('aggregation-rule', { type: 'string', describe: 'key=value,... : aggregate the rules of ClusterRoles with these labels' })
    : built) as unknown as Argv<RoleArgs>;
};

function roleCommand(cluster: boolean) {
  return {
    command: `${cluster ? 'clusterrole' : 'role'} <name>`,
    describe: cluster ? 'Create a ClusterRole' : 'Create a Role with one rule per API group',
    builder: (y: Argv<GlobalOptions>) => roleOptions(y, cluster),
    handler: (argv: RoleArgs) =>
      withCliContext(argv, async (ctx) => {
        const aggregation = cluster && argv.aggregationRule
          ? { clusterRoleSelectors: [{ matchLabels: Object.fromEntries(argv.aggregationRule.split(',').map((kv) => kv.split(/=(.*)/s).slice(0, 2))) }] }
          : undefined;
        const role: ClusterRole = {
          apiVersion: RBAC_API_VERSION,
          kind: cluster ? 'ClusterRole' : 'Role',
          metadata: { name: argv.name, ...(cluster ? {} : { namespace: ctx.namespace }) },
          ...(aggregation ? { aggregationRule: aggregation } : { rules: rulesFromFlags(argv, cluster) }),
        };
        await createGenerated(ctx, `${cluster ? 'clusterroles' : 'roles'}.${RBAC_GROUP}`, role);
      }),
  };
}

function bindingCommand(cluster: boolean) {
  return {
    command: `${cluster ? 'clusterrolebinding' : 'rolebinding'} <name>`,
    describe: cluster ? 'Create a ClusterRoleBinding for a ClusterRole' : 'Create a RoleBinding for a Role or ClusterRole',
    builder: (y: Argv<GlobalOptions>) => {
      const built = y
        .positional('name', { type: 'string', demandOption: true })
        .option('clusterrole', { type: 'string', describe: 'the ClusterRole to grant' })
        .option('user', { type: 'string', array: true, describe: 'user names to bind (repeatable)' })
        .option('group', { type: 'string', array: true, describe: 'group names to bind (repeatable)' })
        .option('serviceaccount', { type: 'string', array: true, describe: 'service accounts to bind, as <namespace>:<name> (repeatable)' });
      return (cluster ? built : built.option('role', { type: 'string', describe: 'the Role (of this namespace) to grant' })) as unknown as Argv<BindingArgs>;
    },
    handler: (argv: BindingArgs) =>
      withCliContext(argv, async (ctx) => {
        const binding: RoleBinding = {
          apiVersion: RBAC_API_VERSION,
          kind: cluster ? 'ClusterRoleBinding' : 'RoleBinding',
          metadata: { name: argv.name, ...(cluster ? {} : { namespace: ctx.namespace }) },
          ...bindingFromFlags(argv, cluster),
        };
        await createGenerated(ctx, `${cluster ? 'clusterrolebindings' : 'rolebindings'}.${RBAC_GROUP}`, binding);
      }),
  };
}

export const createRoleCommand = roleCommand(false);
export const createClusterRoleCommand = roleCommand(true);
export const createRoleBindingCommand = bindingCommand(false);
export const createClusterRoleBindingCommand = bindingCommand(true);

// `kubelab api-resources`: what the server says it serves (legacy discovery: /api/v1, /apis,
// then each group's preferred version), printed as kubectl does. Subresources (`pods/log`) are
// left out, as kubectl leaves them out.

import type { Argv } from 'yargs';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { alignColumns } from '../printers/table-printer.js';
import type { KubelabCommand } from './index.js';

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}
interface ApiResourceList {
  groupVersion: string;
  resources: ApiResource[];
}
interface ApiGroupList {
  groups: { name: string; preferredVersion?: { groupVersion: string }; versions: { groupVersion: string }[] }[];
}

export const apiResourcesCommand: KubelabCommand<{ output?: string; namespaced?: boolean }> = {
  command: 'api-resources',
  describe: 'Print the resources the server serves',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .option('output', { alias: 'o', type: 'string', choices: ['wide', 'name'], describe: 'wide adds VERBS and CATEGORIES' })
      .option('namespaced', { type: 'boolean', describe: 'only namespaced (true) or only cluster-scoped (false) resources' }) as unknown as Argv<
      GlobalOptions & { output?: string; namespaced?: boolean }
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runApiResources(ctx, argv)),
};

export async function discoverResources(ctx: CliContext): Promise<{ groupVersion: string; resource: ApiResource }[]> {
  const lists: ApiResourceList[] = [await ctx.client.request<ApiResourceList>('GET', '/api/v1')];
  const groups = await ctx.client.request<ApiGroupList>('GET', '/apis');
  for (const group of groups.groups ?? []) {
    const gv = group.preferredVersion?.groupVersion ?? group.versions[0]?.groupVersion;
    if (gv) lists.push(await ctx.client.request<ApiResourceList>('GET', `/apis/${gv}`));
  }
  return lists.flatMap((l) => (l.resources ?? []).filter((r) => !r.name.includes('/')).map((resource) => ({ groupVersion: l.groupVersion, resource })));
}

async function runApiResources(ctx: CliContext, options: { output?: string; namespaced?: boolean }): Promise<void> {
  let found = await discoverResources(ctx);
  if (options.namespaced !== undefined) found = found.filter((f) => f.resource.namespaced === options.namespaced);
  if (options.output === 'name') {
    ctx.out(found.map(({ groupVersion, resource }) => (groupVersion.includes('/') ? `${resource.name}.${groupVersion.split('/')[0]}` : resource.name) + '\n').join(''));
    return;
  }
  const wide = options.output === 'wide';
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
  const rows = found.map(({ groupVersion, resource: r }) => [
    r.name,
    (r.shortNames ?? []).join(','),
    groupVersion,
    String(r.namespaced),
    r.kind,
    ...(wide ? [(r.verbs ?? []).join(','), (r.categories ?? []).join(',')] : []),
  ]);
  ctx.out(alignColumns([header, ...rows]));
}

// `kubelab auth can-i VERB RESOURCE [NAME] [-n NS]` and `kubelab auth can-i --list`: kubectl's
// `auth can-i`. The question goes to the API server as a SelfSubjectAccessReview (or a
// SelfSubjectRulesReview for --list), which the same authorizer that judges real requests
// answers (daemon/api/access-reviews.ts). Prints `yes` (exit 0) or `no` (exit 1), or kubectl's
// rules table. `kubelab auth whoami` (auth-whoami.ts): who the API server takes you for.

import type { Argv } from 'yargs';
import { resolveResourceName } from '../../lib/api/resources.js';
import type { PolicyRule } from '../../lib/api/rbac-types.js';
import { rulesTable } from '../../lib/rbac/rules-table.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError, CliExit } from '../cli-errors.js';
import { whoamiCommand } from './auth-whoami.js';
import type { KubelabCommand } from './index.js';

interface CanIOptions {
  verb?: string;
  resource?: string;
  name?: string;
  list?: boolean;
  allNamespaces?: boolean;
  quiet?: boolean;
  noHeaders?: boolean;
}

const REVIEWS = '/apis/authorization.k8s.io/v1';

/** `pods`, `deployments.apps`, `pods/log`, `deployments.apps/scale`, `/healthz`: what the review asks about. */
export function reviewAttributes(verb: string, resource: string, name: string | undefined, namespace: string | undefined): Record<string, unknown> {
  if (resource.startsWith('/')) return { nonResourceAttributes: { verb, path: resource } };
  const [typed, subresource] = resource.split(/\/(.*)/s);
  const info = typed === '*' ? undefined : resolveResourceName(typed!);
  const [plural, ...group] = typed!.split('.');
  return {
    resourceAttributes: {
      ...(namespace !== undefined ? { namespace } : {}),
      verb,
      group: info ? info.group : group.join('.'),
      resource: info ? info.plural : plural,
      ...(subresource ? { subresource } : {}),
      ...(name ? { name } : {}),
    },
  };
}

async function canI(ctx: CliContext, argv: CanIOptions): Promise<void> {
  const namespace = argv.allNamespaces ? undefined : ctx.namespace;
  if (argv.list) {
    const review = await ctx.client.request<{ status: { resourceRules?: PolicyRule[]; nonResourceRules?: PolicyRule[]; incomplete?: boolean } }>('POST', `${REVIEWS}/selfsubjectrulesreviews`, {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: ctx.namespace } },
    });
    if (review.status.incomplete) ctx.err('warning: the list may be incomplete: \n');
    ctx.out(rulesTable([...(review.status.resourceRules ?? []), ...(review.status.nonResourceRules ?? [])], argv.noHeaders));
    return;
  }
  if (!argv.verb || !argv.resource) throw new CliError('you must specify two arguments: verb resource or verb resource/resourceName.');
  const [resource, slashName] = argv.resource.startsWith('/') ? [argv.resource, undefined] : [argv.resource.split('/')[0]!, argv.resource.split('/').slice(1).join('/') || undefined];
  if (!argv.resource.startsWith('/') && resource !== '*' && !resolveResourceName(resource)) ctx.err(`Warning: the server doesn't have a resource type '${resource}'\n\n`);
  const review = await ctx.client.request<{ status: { allowed?: boolean; reason?: string } }>('POST', `${REVIEWS}/selfsubjectaccessreviews`, {
    body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: reviewAttributes(argv.verb, resource, argv.name ?? slashName, namespace) },
  });
  const allowed = review.status.allowed === true;
  if (!argv.quiet) ctx.out(allowed ? 'yes\n' : `no${review.status.reason ? ` - ${review.status.reason}` : ''}\n`);
  if (!allowed) throw new CliExit(1);
}

const canICommand: KubelabCommand<CanIOptions> = {
  command: 'can-i [verb] [resource] [name]',
  describe: 'Check whether an action is allowed (yes: exit 0, no: exit 1), or list what you may do with --list',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('verb', { type: 'string', describe: 'get, list, create, delete, ... or *' })
      .positional('resource', { type: 'string', describe: 'pods, deployments.apps, pods/log, /healthz, or TYPE/NAME' })
      .positional('name', { type: 'string' })
      .option('list', { type: 'boolean', describe: 'list every action you may do in the namespace' })
      .option('all-namespaces', { alias: 'A', type: 'boolean', describe: 'ask about every namespace' })
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'print nothing; the exit code answers' })
      .option('no-headers', { type: 'boolean', describe: 'with --list, no header line' }) as unknown as Argv<GlobalOptions & CanIOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => canI(ctx, argv)),
};

export const authCommand: KubelabCommand = {
  command: 'auth',
  describe: 'Inspect authorization (can-i, whoami)',
  builder: (y: Argv<GlobalOptions>) => y.command([canICommand, whoamiCommand] as KubelabCommand[]).demandCommand(1, 'You must specify a subcommand: can-i, whoami'),
  handler: () => undefined,
};

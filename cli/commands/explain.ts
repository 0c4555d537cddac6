// `kubelab explain RESOURCE[.field.path] [--recursive] [--api-version GROUP/VERSION]`: the
// documentation of a kind and its fields, as `kubectl explain` prints it. The text comes from
// the server's OpenAPI v3 (GET /openapi/v3 for the index, then the document of the resource's
// group/version, which daemon/api/openapi.ts generates from lib/api/schemas), so it documents
// what this server serves; cli/explain/explain-printer.ts turns it into kubectl's layout.

import type { Argv } from 'yargs';
import { RESOURCES, resolveResourceName, type ResourceInfo } from '../../lib/api/resources.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { explainBody, explainHeader, type OpenApiDocument } from '../explain/explain-printer.js';
import { resolveType } from '../resource-args.js';
import type { KubelabCommand } from './index.js';

export interface ExplainOptions {
  resource?: string;
  recursive?: boolean;
  apiVersion?: string;
}

export const explainCommand: KubelabCommand<ExplainOptions> = {
  command: 'explain [resource]',
  describe: 'Document a kind and its fields: kubelab explain deployment.spec.strategy',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('resource', { type: 'string', describe: 'RESOURCE or RESOURCE.field.path (pods, deployment.spec.strategy)' })
      .option('recursive', { type: 'boolean', describe: 'every field below, names and types only' })
      .option('api-version', { type: 'string', describe: 'the group/version to explain (apps/v1); default: the one served' }) as unknown as Argv<
      GlobalOptions & ExplainOptions
    >,
  handler: (argv) => withCliContext(argv, (ctx) => runExplain(ctx, argv)),
};

/**
 * `deployment.spec.strategy` → the resource and the field path below it. The resource may carry
 * its group (`deployments.apps.spec`): the longest leading part that names a resource wins.
 */
export function parseExplainTarget(target: string, apiVersion: string | undefined): { info: ResourceInfo; fieldPath: string[] } {
  const segments = target.split('.');
  let split = 1;
  for (let i = segments.length; i > 1; i--) {
    if (resolveResourceName(segments.slice(0, i).join('.'))) {
      split = i;
      break;
    }
  }
  const served = resolveType(segments.slice(0, split).join('.'));
  const fieldPath = segments.slice(split);
  if (!apiVersion) return { info: served, fieldPath };
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  const info = RESOURCES.find((r) => r.plural === served.plural && r.group === group && r.version === version);
  if (!info) throw new CliError(`couldn't find resource for "${apiVersion}, Resource=${served.plural}"`);
  return { info, fieldPath };
}

export async function runExplain(ctx: CliContext, options: ExplainOptions): Promise<void> {
  if (!options.resource) {
    throw new CliError('You must specify the type of resource to explain. Use "kubelab api-resources" for a complete list of supported resources.');
  }
  const { info, fieldPath } = parseExplainTarget(options.resource, options.apiVersion);
  const index = (await ctx.client.request('GET', '/openapi/v3')) as { paths?: Record<string, { serverRelativeURL?: string }> };
  const key = info.group ? `apis/${info.group}/${info.version}` : `api/${info.version}`;
  const url = index.paths?.[key]?.serverRelativeURL;
  if (!url) throw new CliError(`the server publishes no OpenAPI v3 document for ${key}`);
  const doc = (await ctx.client.request('GET', url)) as OpenApiDocument;
  const gvk = { group: info.group, version: info.version, kind: info.kind };
  ctx.out(explainHeader(gvk));
  ctx.out(explainBody(doc, gvk, fieldPath, options.recursive ?? false));
}

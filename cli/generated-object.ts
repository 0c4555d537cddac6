// What every kubectl generator (`create deployment|service|configmap|job|cronjob`, `run`) does
// once it has built its object from flags: honour `--dry-run` and `-o`, then POST.
//
//   --dry-run=none    (default) POST, print `deployment.apps/web created` or the stored object
//   --dry-run=client  POST nothing; print the object as built (`-o yaml` is how users write a
//                     manifest to edit: `kubelab create deployment web --image=x --dry-run=client -o yaml`)
//   --dry-run=server  POST with `?dryRun=All`: the server defaults and validates, stores nothing
//
// The object is built as kubectl builds it (Go zero values included: `creationTimestamp: null`,
// `resources: {}`, `status: {}`), so `--dry-run=client -o json` prints what kubectl prints.
// metadata.namespace is set only when -n was given, as kubectl's EnforceNamespace does; the
// POST always goes to the context's namespace.

import { resourceForKind, resourceKey } from '../lib/api/resources.js';
import type { KubeObject } from '../lib/api/types.js';
import type { CliContext } from './cli-context.js';
import { CliError } from './cli-errors.js';
import { printJson } from './printers/json-printer.js';
import { objectName } from './printers/name-printer.js';
import { printJsonPath } from './printers/jsonpath.js';
import { printYaml } from './printers/yaml-printer.js';
import { parseOutputFormat } from './output-format.js';

export type DryRun = 'none' | 'client' | 'server';

/** The flags every generator shares. */
export interface GeneratorOutputOptions {
  dryRun?: string;
  output?: string;
}

/** kubectl's --dry-run values; anything else is refused in kubectl's words. */
export function parseDryRun(value: string | boolean | undefined): DryRun {
  if (value === undefined || value === false || value === '') return 'none';
  if (value === 'none' || value === 'client' || value === 'server') return value;
  throw new CliError(`Invalid dry-run value (${String(value)}). Must be "none", "server", or "client".`);
}

/** The suffix kubectl adds to `created`, `patched`, `replaced` under a dry run. */
export function dryRunSuffix(dryRun: DryRun): string {
  return dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
}

/** `deployment.apps/web created`, or the object in the -o format the user asked for. */
export function renderWritten(object: KubeObject, verb: string, dryRun: DryRun, output: string | undefined): string {
  const format = parseOutputFormat(output);
  switch (format.kind) {
    case 'json':
      return printJson(object);
    case 'yaml':
      return printYaml(object);
    case 'jsonpath':
      return printJsonPath(format.template, object);
    case 'name':
      return `${objectName(object)}\n`;
    default:
      return `${objectName(object)} ${verb}${dryRunSuffix(dryRun)}\n`;
  }
}

/** Sets metadata.namespace to the -n namespace when the user gave -n (pure). */
export function withEnforcedNamespace<T extends KubeObject>(object: T, ctx: Pick<CliContext, 'namespace' | 'namespaceFromFlag'>, namespaced = true): T {
  if (!namespaced || !ctx.namespaceFromFlag) return object;
  return { ...object, metadata: { ...object.metadata, namespace: ctx.namespace } };
}

/** Creates (or dry-runs) a generated object and prints what kubectl prints (nothing when `quiet`: `run -i` attaches instead). */
export async function createGenerated(ctx: CliContext, object: KubeObject, options: GeneratorOutputOptions & { fieldManager?: string; quiet?: boolean }): Promise<void> {
  const dryRun = parseDryRun(options.dryRun);
  parseOutputFormat(options.output); // refuse a bad -o before anything is sent
  const info = resourceForKind(object.apiVersion, object.kind);
  if (!info) throw new Error(`createGenerated: no resource serves ${object.apiVersion} ${object.kind}`);
  const shown = withEnforcedNamespace(object, ctx, info.namespaced);
  if (dryRun === 'client') return void ctx.out(renderWritten(shown, 'created', dryRun, options.output));
  const body = info.namespaced ? { ...shown, metadata: { ...shown.metadata, namespace: ctx.namespace } } : shown;
  const created = await ctx.client.create(resourceKey(info), body, { fieldManager: options.fieldManager ?? 'kubectl-create', fieldValidation: 'Strict', dryRun: dryRun === 'server' });
  if (!options.quiet) ctx.out(renderWritten({ ...body, ...created }, 'created', dryRun, options.output));
}

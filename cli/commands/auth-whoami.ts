// `kubelab auth whoami [-o json|yaml]`: who the API server thinks you are, as `kubectl auth
// whoami` prints it. It asks the server (a SelfSubjectReview, daemon/api/self-subject-review.ts)
// rather than reading the kubeconfig: the answer is what the authenticator made of your
// credentials (a certificate's CN and O values, a token's user), which is what RBAC will judge.
//
//   ATTRIBUTE   VALUE
//   Username    alice
//   Groups      [dev system:authenticated]

import type { Argv, CommandModule } from 'yargs';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { printJson } from '../printers/json-printer.js';
import { alignColumns } from '../printers/table-printer.js';
import { printYaml } from '../printers/yaml-printer.js';

export interface SelfSubjectReview {
  kind: 'SelfSubjectReview';
  apiVersion: string;
  status?: { userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } };
}

/** kubectl's table: a row per attribute the server named, lists printed as Go prints a slice (`[a b]`). */
export function whoamiTable(review: SelfSubjectReview): string {
  const info = review.status?.userInfo ?? {};
  const rows: string[][] = [['ATTRIBUTE', 'VALUE']];
  if (info.username) rows.push(['Username', info.username]);
  if (info.uid) rows.push(['UID', info.uid]);
  if (info.groups?.length) rows.push(['Groups', `[${info.groups.join(' ')}]`]);
  for (const key of Object.keys(info.extra ?? {}).sort()) rows.push([`Extra: ${key}`, `[${info.extra![key]!.join(' ')}]`]);
  return alignColumns(rows);
}

export interface WhoamiOptions {
  output?: string;
}

export const whoamiCommand: CommandModule<GlobalOptions, GlobalOptions & WhoamiOptions> = {
  command: 'whoami',
  describe: 'Show who the API server takes you for: your user name and groups',
  builder: (y: Argv<GlobalOptions>) =>
    y.option('output', { alias: 'o', type: 'string', describe: 'json or yaml (default: a table)' }) as unknown as Argv<GlobalOptions & WhoamiOptions>,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const output = argv.output ?? '';
      if (!['', 'json', 'yaml'].includes(output)) throw new CliError(`unable to match a printer suitable for the output format "${output}", allowed formats are: json, yaml`);
      const review = await ctx.client.request<SelfSubjectReview>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
        body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo: {} } },
      });
      ctx.out(output === 'json' ? printJson(review) : output === 'yaml' ? printYaml(review) : whoamiTable(review));
    }),
};

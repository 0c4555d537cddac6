// `kubelab create serviceaccount NAME [-n NS] [--dry-run=...] [-o ...]`: the ServiceAccount
// kubectl's generator builds, an identity for pods (Kubernetes' core/v1 ServiceAccount). A pod
// names it in spec.serviceAccountName and gets its token (`kubelab create token NAME` asks for
// one by hand); RoleBindings give it rights.

import type { Argv, CommandModule } from 'yargs';
import type { KubeObject } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { createGenerated, type GeneratorOutputOptions } from '../generated-object.js';
import { generatorOutputFlags } from './generator-flags.js';

interface CreateServiceAccountOptions extends GeneratorOutputOptions {
  name: string;
}

/** The ServiceAccount `kubectl create serviceaccount` builds (pure). */
export function serviceAccountFromFlags(name: string): KubeObject {
  return { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name, creationTimestamp: null } } as KubeObject;
}

export const createServiceAccountCommand: CommandModule<GlobalOptions, GlobalOptions & CreateServiceAccountOptions> = {
  command: ['serviceaccount <name>', 'sa <name>'],
  describe: 'Create a ServiceAccount: an identity for pods',
  builder: (y) => generatorOutputFlags(y.positional('name', { type: 'string', demandOption: true })) as unknown as Argv<GlobalOptions & CreateServiceAccountOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => createGenerated(ctx, serviceAccountFromFlags(argv.name), argv)),
};

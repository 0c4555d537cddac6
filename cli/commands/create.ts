// `kubelab create -f FILE|DIR|-`: POST every object of the files, in order, after checking all
// of them (manifest-sources.ts). Also the generators `create secret generic` and
// `create namespace`, which build the object from flags instead of a file, and the generators of
// their own modules: job, cronjob (create-batch.ts), deployment, service, configmap,
// serviceaccount, and `create token` (a TokenRequest, printed).
//
// Objects go out with `?fieldValidation=Warn`: a field kubelab does not know is kept and the
// server's warning is printed (`Warning: unknown field "spec.foo"`) instead of failing the file.

import type { Argv } from 'yargs';
import { resourceKey } from '../../lib/api/resources.js';
import { withCliContext, type CliContext, type GlobalOptions } from '../cli-context.js';
import { withContext } from '../cli-errors.js';
import { loadManifestObjects } from '../manifest-sources.js';
import { objectName } from '../printers/name-printer.js';
import { withLastApplied } from '../apply-patch.js';
import { createNamespaceCommand, createSecretCommand } from './create-generators.js';
import { createCronJobCommand, createJobCommand } from './create-batch.js';
import { createUserCommand } from './create-user.js';
import { createClusterRoleBindingCommand, createClusterRoleCommand, createRoleBindingCommand, createRoleCommand } from './create-rbac.js';
import { createConfigMapCommand } from './create-configmap.js';
import { createDeploymentCommand } from './create-deployment.js';
import { createServiceCommand } from './create-service.js';
import { createServiceAccountCommand } from './create-service-account.js';
import { createTokenCommand } from './create-token.js';
import type { KubelabCommand } from './index.js';

export interface CreateOptions {
  filename?: string[];
  saveConfig?: boolean;
}

export const createCommand: KubelabCommand<CreateOptions> = {
  command: 'create',
  describe: 'Create resources from files or stdin, or a secret, namespace, job, cronjob, deployment, service, configmap or serviceaccount from flags, or a service account token',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .command(createSecretCommand)
      .command(createNamespaceCommand)
      .command(createJobCommand)
      .command(createCronJobCommand)
      .command(createUserCommand)
      .command(createRoleCommand)
      .command(createClusterRoleCommand)
      .command(createRoleBindingCommand)
      .command(createClusterRoleBindingCommand)
      .command(createDeploymentCommand)
      .command(createServiceCommand)
      .command(createConfigMapCommand)
      .command(createServiceAccountCommand)
      .command(createTokenCommand)
      .option('filename', { alias: 'f', type: 'string', array: true, describe: 'file, directory or - for stdin' })
      .option('save-config', { type: 'boolean', describe: 'record the last-applied-configuration annotation, so apply can follow' }) as unknown as Argv<GlobalOptions & CreateOptions>,
  handler: (argv) => withCliContext(argv, (ctx) => runCreate(ctx, argv)),
};

export async function runCreate(ctx: CliContext, options: CreateOptions): Promise<void> {
  const objects = await loadManifestObjects(options.filename ?? [], ctx.namespace, ctx.namespaceFromFlag);
  for (const { source, object, info } of objects) {
    try {
      const body = options.saveConfig ? withLastApplied(object) : object;
      const created = await ctx.client.create(resourceKey(info), body, { fieldValidation: 'Warn', fieldManager: 'kubectl-create' });
      ctx.out(`${objectName({ ...object, ...created, metadata: created?.metadata ?? object.metadata })} created\n`);
    } catch (err) {
      ctx.fail(withContext(err, `error when creating "${source}"`));
    }
  }
}

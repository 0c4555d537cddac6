// `kubelab create token SA [-n NS] [--duration 10m] [--audience A]... [--bound-object-kind Pod
// --bound-object-name N]`: a token of a ServiceAccount, asked of the TokenRequest API
// (POST serviceaccounts/SA/token, authentication.k8s.io/v1), printed alone as kubectl prints
// it, so `TOKEN=$(kubelab create token robot)` works. The token is a JWT signed by the cluster;
// its `sub` is `system:serviceaccount:NS:SA`. Without --duration the server picks the lifetime
// (an hour); bound to a pod, it stops working when the pod is gone.

import type { Argv } from 'yargs';
import { resourceInfoFor, resourcePath } from '../../lib/client/api-paths.js';
import type { TokenRequest } from '../../lib/api/service-account-types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { parseGoDurationMs } from '../rollout/go-duration.js';
import type { KubelabCommand } from './index.js';

interface CreateTokenOptions {
  name: string;
  duration?: string;
  audience?: string[];
  boundObjectKind?: string;
  boundObjectName?: string;
  boundObjectUid?: string;
}

/** The kinds kubectl lets a token be bound to, and their apiVersions. */
const BOUND_OBJECT_KINDS: Record<string, string> = { Node: 'v1', Pod: 'v1', Secret: 'v1' };

/** The TokenRequest `kubectl create token` sends, checked in kubectl's words (pure). */
export function tokenRequestFromFlags(options: Omit<CreateTokenOptions, 'name'>): TokenRequest {
  const audiences = options.audience ?? [];
  if (audiences.some((a) => a === '')) throw new CliError('--audience must not be an empty string');
  const durationMs = options.duration === undefined ? 0 : parseGoDurationMs(options.duration, 'duration');
  if (durationMs < 0) throw new CliError('--duration must be greater than or equal to 0');
  if (durationMs % 1000 !== 0) throw new CliError('--duration cannot be expressed in units less than seconds');
  const kind = options.boundObjectKind ?? '';
  if (kind === '') {
    if (options.boundObjectName) throw new CliError('--bound-object-name can only be set if --bound-object-kind is provided');
    if (options.boundObjectUid) throw new CliError('--bound-object-uid can only be set if --bound-object-kind is provided');
  } else {
    if (!(kind in BOUND_OBJECT_KINDS)) throw new CliError(`supported --bound-object-kind values are ${Object.keys(BOUND_OBJECT_KINDS).join(', ')}`);
    if (!options.boundObjectName) throw new CliError('--bound-object-name is required if --bound-object-kind is provided');
  }
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: {},
    spec: {
      ...(audiences.length > 0 ? { audiences } : {}),
      ...(durationMs > 0 ? { expirationSeconds: durationMs / 1000 } : {}),
      ...(kind ? { boundObjectRef: { kind, apiVersion: BOUND_OBJECT_KINDS[kind], name: options.boundObjectName, ...(options.boundObjectUid ? { uid: options.boundObjectUid } : {}) } } : {}),
    },
  };
}

export const createTokenCommand: KubelabCommand<CreateTokenOptions> = {
  command: 'token <name>',
  describe: 'Request a token of a ServiceAccount and print it',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: 'the ServiceAccount' })
      .option('duration', { type: 'string', describe: 'how long the token is valid (10m, 1h); the server may grant another; default: the server\'s (1h)' })
      .option('audience', { type: 'string', array: true, describe: 'an audience of the token (repeatable); default: the API server' })
      .option('bound-object-kind', { type: 'string', describe: 'bind the token to an object of this kind (Pod): it dies with the object' })
      .option('bound-object-name', { type: 'string', describe: 'the name of the object the token is bound to' })
      .option('bound-object-uid', { type: 'string', describe: 'the uid of the object the token is bound to (default: its current one)' }) as unknown as Argv<GlobalOptions & CreateTokenOptions>,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const request = tokenRequestFromFlags(argv);
      const path = resourcePath(resourceInfoFor('serviceaccounts'), ctx.namespace, argv.name, 'token');
      const answer = await ctx.client.request<TokenRequest>('POST', path, { body: request });
      ctx.out(`${answer.status?.token ?? ''}\n`);
    }),
};

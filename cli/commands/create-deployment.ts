// `kubelab create deployment NAME --image=IMAGE... [--replicas=N] [--port=P] [-- COMMAND...]`:
// the Deployment kubectl's generator builds. Its pods are labelled `app=NAME` and selected by
// that label; each image becomes one container named after the image (`nginx:1.25` → `nginx`,
// `registry/my_app:1` → `my-app-x7k2q`: a name with `_` or `.` is no DNS label, so it is
// sanitized and given a random suffix, as kubectl does).

import type { Argv, CommandModule } from 'yargs';
import type { KubeObject } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import { createGenerated, type GeneratorOutputOptions } from '../generated-object.js';
import { commandAfterDashes, generatorOutputFlags } from './generator-flags.js';

interface CreateDeploymentOptions extends GeneratorOutputOptions {
  name: string;
  image: string[];
  replicas: number;
  port: number;
  command?: string[];
}

/** A random 5-character suffix from kubectl's alphabet (no vowels, no look-alikes). */
export function randomSuffix(random: () => number = Math.random): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}

/** The container name kubectl derives from an image reference. */
export function containerNameForImage(image: string, random: () => number = Math.random): string {
  let name = image.split('/').pop() ?? image;
  name = name.split(':')[0]!.split('@')[0]!;
  if (/[_.]/.test(name)) name = `${name.replace(/[_.]/g, '-')}-${randomSuffix(random)}`;
  return name;
}

/** The Deployment `kubectl create deployment` builds (pure but for the name suffix's randomness). */
export function deploymentFromFlags(name: string, images: string[], options: { replicas?: number; port?: number; command?: string[] } = {}, random?: () => number): KubeObject {
  const labels = { app: name };
  const command = options.command ?? [];
  const containers: Record<string, unknown>[] = images.map((image) => ({
    name: containerNameForImage(image, random),
    image,
    ...(command.length > 0 ? { command } : {}),
    resources: {},
  }));
  if (options.port !== undefined && options.port >= 0 && containers.length > 0) containers[0]!.ports = [{ containerPort: options.port }];
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, creationTimestamp: null, labels },
    spec: {
      replicas: options.replicas ?? 1,
      selector: { matchLabels: { ...labels } },
      template: { metadata: { creationTimestamp: null, labels: { ...labels } }, spec: { containers } },
      strategy: {},
    },
    status: {},
  } as KubeObject;
}

export const createDeploymentCommand: CommandModule<GlobalOptions, GlobalOptions & CreateDeploymentOptions> = {
  command: ['deployment <name> [command..]', 'deploy <name> [command..]'],
  describe: 'Create a Deployment that runs the given image(s)',
  builder: (y) =>
    generatorOutputFlags(
      y
        .positional('name', { type: 'string', demandOption: true })
        .positional('command', { type: 'string', array: true, describe: 'after --: the command to run instead of the image\'s' })
        .option('image', { type: 'string', array: true, demandOption: true, describe: 'the image to run (repeatable: one container each)' })
        .option('replicas', { alias: 'r', type: 'number', default: 1, describe: 'how many pods' })
        .option('port', { type: 'number', default: -1, describe: 'the port the first container exposes' }),
    ) as unknown as Argv<GlobalOptions & CreateDeploymentOptions>,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const command = commandAfterDashes(argv, 2);
      if (argv.image.length > 1 && command.length > 0) throw new CliError('cannot specify multiple --image options and command');
      await createGenerated(ctx, deploymentFromFlags(argv.name, argv.image, { replicas: argv.replicas, port: argv.port, command }), argv);
    }),
};

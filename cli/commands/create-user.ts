// `kubelab create user NAME [--group G]... [--days N] [-o FILE] [--data-dir DIR]`: a kubeconfig
// for a new user, authenticated by a client certificate (CN = NAME, O = each group) that the
// cluster CA signs (daemon/pki/user-kubeconfig.ts explains why that is all a "user" is).
//
// Like `kubeadm kubeconfig user`, this runs on the server host and reads the CA from the data
// dir: the CA's private key never leaves it. (Kubernetes' other way is a
// certificates.k8s.io CertificateSigningRequest approved by an admin and signed by the
// controller manager; kubelab has no CSR API yet.) It is the one command of the CLI that does not
// talk HTTP, which is why the signing code is loaded only when it runs.
//
// The cluster entry (server address, CA) is copied from the current kubeconfig, so the new user
// reaches the cluster the way the admin does; without one, from the admin kubeconfig the server
// wrote into the data dir. The file is written with mode 0600: it holds a private key.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv } from 'yargs';
import { kubeconfigPaths, mergeKubeconfigs, parseKubeconfig, type Kubeconfig } from '../../lib/client/kubeconfig.js';
import { writePrivateFile } from '../../lib/client/private-file.js';
import type { GlobalOptions } from '../cli-context.js';
import { CliError } from '../cli-errors.js';
import type { KubelabCommand } from './index.js';

export interface CreateUserOptions {
  name: string;
  group?: string[];
  days?: number;
  output?: string;
  dataDir: string;
}

/** The current context's cluster, by name, with its entry as the file has it (CA paths made absolute). */
export function currentCluster(config: Kubeconfig, contextOverride?: string): { name: string; entry: Record<string, unknown> } | undefined {
  const contextName = contextOverride ?? config.currentContext;
  const clusterName = config.contexts.find((c) => c.name === contextName)?.context.cluster;
  const cluster = config.clusters.find((c) => c.name === clusterName);
  if (!cluster) return undefined;
  const entry = Object.fromEntries(Object.entries(cluster.cluster).filter(([, value]) => value !== undefined));
  return { name: cluster.name, entry };
}

function readKubeconfigs(files: string[]): Kubeconfig {
  return mergeKubeconfigs(files.map((file) => parseKubeconfig(fs.readFileSync(file, 'utf8'), file)));
}

function readCa(dataDir: string): { certPem: string; keyPem: string } {
  const read = (file: string) => {
    try {
      return fs.readFileSync(path.join(dataDir, 'pki', file), 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied (run it as the user kubelabd runs as, e.g. with sudo)' : (err as Error).message;
      throw new CliError(`cannot read the cluster CA ${path.join(dataDir, 'pki', file)}: ${why}; create users on the server host, with --data-dir set to kubelabd's data dir`, { cause: err });
    }
  };
  return { certPem: read('ca.crt'), keyPem: read('ca.key') };
}

export async function runCreateUser(argv: GlobalOptions & CreateUserOptions, out: (text: string) => void): Promise<void> {
  const ca = readCa(argv.dataDir);
  const files = kubeconfigPaths(argv.kubeconfig, process.env, os.homedir(), (p) => fs.existsSync(p));
  const adminKubeconfig = path.join(argv.dataDir, 'kubeconfig.yaml');
  const cluster =
    (files.length > 0 ? currentCluster(readKubeconfigs(files), argv.context) : undefined) ??
    (fs.existsSync(adminKubeconfig) ? currentCluster(readKubeconfigs([adminKubeconfig])) : undefined);
  if (!cluster) throw new CliError(`no cluster to point the new kubeconfig at: neither the current kubeconfig nor ${adminKubeconfig} names one; pass --kubeconfig`);

  // The signing code (node-forge) is loaded only here: every other command talks HTTP only.
  const { buildUserKubeconfig, issueUserCertificate, DEFAULT_USER_CERTIFICATE_DAYS } = await import('../../daemon/pki/user-kubeconfig.js');
  const groups = argv.group ?? [];
  let credentials;
  try {
    credentials = issueUserCertificate(ca, { name: argv.name, groups, days: argv.days ?? DEFAULT_USER_CERTIFICATE_DAYS });
  } catch (err) {
    throw new CliError((err as Error).message, { cause: err });
  }
  const yaml = buildUserKubeconfig(cluster, argv.name, credentials, argv.namespace ?? 'default');
  if (argv.output === '-') {
    out(yaml);
    return;
  }
  const file = argv.output ?? `${argv.name}.kubeconfig`;
  await writePrivateFile(file, yaml);
  const groupText = groups.length > 0 ? ` in groups ${groups.join(', ')}` : '';
  out(`user "${argv.name}"${groupText} created: kubeconfig written to ${file} (context ${argv.name}@${cluster.name})\n`);
}

export const createUserCommand: KubelabCommand<CreateUserOptions> = {
  command: 'user <name>',
  describe: 'Issue a kubeconfig for a new user: a client certificate (CN = name, O = groups) signed by the cluster CA; run on the server host',
  builder: (y: Argv<GlobalOptions>) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: "the user's name (the certificate's CN, what RBAC bindings name)" })
      .option('group', { type: 'string', array: true, describe: 'a group the user belongs to (the certificate\'s O); repeatable' })
      .option('days', { type: 'number', describe: `how many days the certificate is valid (default 365)` })
      .option('output', { alias: 'o', type: 'string', describe: 'where to write the kubeconfig (default NAME.kubeconfig; - for stdout)' })
      .option('data-dir', { type: 'string', default: '/var/lib/kubelab', describe: "kubelabd server's data dir, where the cluster CA is (<data-dir>/pki/ca.key)" }) as unknown as Argv<GlobalOptions & CreateUserOptions>,
  handler: (argv) => runCreateUser(argv, (text) => void process.stdout.write(text)),
};

// Where is the API server, how do I trust it, who am I: the answer kubectl reads from a
// kubeconfig file (client-go's clientcmd), reduced to what kubelab uses.
//
// Precedence, exactly as kubectl:
//   1. `--kubeconfig FILE`                        (the file must exist)
//   2. `KUBECONFIG=a:b:c`                         (files that exist, merged: the first file to set a
//                                                  value wins, entries are matched by name)
//   3. `~/.kube/config`
// Then the current context (or `--context`) picks a cluster (server URL, CA, insecure flag) and a
// user (token or tokenFile, and/or a client certificate and key: inline `*-data` base64, or
// files); `--server`, `--token`, `-n` override what the file says. The namespace defaults to
// `default`. File paths in a kubeconfig are relative to the kubeconfig's own folder, as kubectl
// reads them (a kubeconfig and its certificates travel together).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/** What a client needs to reach and authenticate to one API server. */
export interface ClientConfig {
  /** `https://127.0.0.1:6443` (no trailing slash). */
  server: string;
  /** PEM of the CA that signed the server's certificate; absent → the system's trust store. */
  caPem?: string;
  insecureSkipTlsVerify: boolean;
  token?: string;
  /** PEM of the client certificate (a user made by `kubelab create user`) and its private key, presented in the TLS handshake. */
  clientCertPem?: string;
  clientKeyPem?: string;
  namespace: string;
  /** The context the values came from, for messages; '' when only flags were used. */
  contextName: string;
  /** The kubeconfig files that were read, for messages. */
  sources: string[];
}

/** Command-line overrides, named like kubectl's global flags. */
export interface KubeconfigOverrides {
  kubeconfig?: string;
  context?: string;
  server?: string;
  token?: string;
  namespace?: string;
  insecureSkipTlsVerify?: boolean;
}

interface NamedCluster { name: string; cluster: { server?: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string; 'insecure-skip-tls-verify'?: boolean } }
interface NamedUser {
  name: string;
  user: { token?: string; tokenFile?: string; 'client-certificate'?: string; 'client-certificate-data'?: string; 'client-key'?: string; 'client-key-data'?: string };
}
interface NamedContext { name: string; context: { cluster?: string; user?: string; namespace?: string } }

/** The merged content of one or more kubeconfig files; relative paths already resolved. */
export interface Kubeconfig {
  currentContext?: string;
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
}

export class KubeconfigError extends Error {
  override name = 'KubeconfigError';
}

export const NO_CONFIGURATION_MESSAGE =
  'no configuration: set --kubeconfig, KUBECONFIG or ~/.kube/config (kubelabd server writes /var/lib/kubelab/kubeconfig.yaml)';

/** Which files to read, in precedence order: pure, so the rules are testable. */
export function kubeconfigPaths(flag: string | undefined, env: NodeJS.ProcessEnv, homeDir: string, exists: (p: string) => boolean): string[] {
  if (flag) {
    if (!exists(flag)) throw new KubeconfigError(`stat ${flag}: no such file or directory (from --kubeconfig)`);
    return [flag];
  }
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter((p) => p !== '' && exists(p));
  const home = path.join(homeDir, '.kube', 'config');
  return exists(home) ? [home] : [];
}

/** Parses one file's text; paths to CA and token files are made absolute against its folder. */
export function parseKubeconfig(text: string, file: string): Kubeconfig {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(text) ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new KubeconfigError(`${file}: not a valid kubeconfig: ${(err as Error).message}`, { cause: err });
  }
  const dir = path.dirname(file);
  const absolute = (p: string | undefined) => (p && !path.isAbsolute(p) ? path.join(dir, p) : p);
  const clusters = ((doc.clusters as NamedCluster[] | undefined) ?? []).map((c) => ({
    name: c.name,
    cluster: { ...c.cluster, 'certificate-authority': absolute(c.cluster?.['certificate-authority']) },
  }));
  const users = ((doc.users as NamedUser[] | undefined) ?? []).map((u) => ({
    name: u.name,
    user: {
      ...u.user,
      tokenFile: absolute(u.user?.tokenFile),
      'client-certificate': absolute(u.user?.['client-certificate']),
      'client-key': absolute(u.user?.['client-key']),
    },
  }));
  const contexts = ((doc.contexts as NamedContext[] | undefined) ?? []).map((c) => ({ name: c.name, context: c.context ?? {} }));
  const current = doc['current-context'];
  return { currentContext: typeof current === 'string' && current ? current : undefined, clusters, users, contexts };
}

/** Merges several files: the first to set current-context wins, the first entry of a name wins. */
export function mergeKubeconfigs(configs: Kubeconfig[]): Kubeconfig {
  const firstByName = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (!seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  return {
    currentContext: configs.find((c) => c.currentContext)?.currentContext,
    clusters: firstByName(configs.map((c) => c.clusters)),
    users: firstByName(configs.map((c) => c.users)),
    contexts: firstByName(configs.map((c) => c.contexts)),
  };
}

/** Picks context, cluster and user, applies the overrides; throws a KubeconfigError that says what to do. */
export function resolveClientConfig(config: Kubeconfig, overrides: KubeconfigOverrides, sources: string[]): ClientConfig {
  const contextName = overrides.context ?? config.currentContext ?? '';
  const context = config.contexts.find((c) => c.name === contextName)?.context;
  if (overrides.context && !context) throw new KubeconfigError(`context was not found for specified context: ${overrides.context}`);
  const cluster = context?.cluster ? config.clusters.find((c) => c.name === context.cluster)?.cluster : undefined;
  if (context?.cluster && !cluster && !overrides.server) {
    throw new KubeconfigError(`context "${contextName}" names cluster "${context.cluster}", which is not in ${sources.join(', ')}`);
  }
  const user = context?.user ? config.users.find((u) => u.name === context.user)?.user : undefined;

  const server = overrides.server ?? cluster?.server;
  if (!server) {
    if (sources.length === 0) throw new KubeconfigError(NO_CONFIGURATION_MESSAGE);
    throw new KubeconfigError(`no server found for context "${contextName}" in ${sources.join(', ')}: set current-context or pass --server`);
  }

  let caPem: string | undefined;
  if (cluster?.['certificate-authority-data']) caPem = Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8');
  else if (cluster?.['certificate-authority']) caPem = readOrExplain(cluster['certificate-authority'], 'certificate-authority');

  let token = overrides.token ?? user?.token;
  if (!token && user?.tokenFile) token = readOrExplain(user.tokenFile, 'tokenFile').trim();

  // As in kubectl, the inline `*-data` wins over a file when a kubeconfig has both.
  const clientCertPem = pemOf(user?.['client-certificate-data'], user?.['client-certificate'], 'client-certificate');
  const clientKeyPem = pemOf(user?.['client-key-data'], user?.['client-key'], 'client-key');
  if ((clientCertPem === undefined) !== (clientKeyPem === undefined)) {
    const [has, lacks] = clientCertPem === undefined ? ['client-key', 'client-certificate'] : ['client-certificate', 'client-key'];
    throw new KubeconfigError(`user "${context?.user}" in ${sources.join(', ')} has a ${has} but no ${lacks}: a client certificate needs both`);
  }

  return {
    server: server.replace(/\/+$/, ''),
    caPem,
    insecureSkipTlsVerify: overrides.insecureSkipTlsVerify ?? cluster?.['insecure-skip-tls-verify'] ?? false,
    token,
    ...(clientCertPem !== undefined ? { clientCertPem, clientKeyPem } : {}),
    namespace: overrides.namespace ?? context?.namespace ?? 'default',
    contextName,
    sources,
  };
}

/** A PEM given inline (base64, a kubeconfig's `*-data`) or as a file, or undefined. */
function pemOf(data: string | undefined, file: string | undefined, field: string): string | undefined {
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  if (file) return readOrExplain(file, field);
  return undefined;
}

function readOrExplain(file: string, field: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeconfigError(`cannot read ${field} ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The whole lookup as kubectl does it, from flags and the environment. */
export function loadClientConfig(overrides: KubeconfigOverrides = {}, env: NodeJS.ProcessEnv = process.env, homeDir = os.homedir()): ClientConfig {
  const files = kubeconfigPaths(overrides.kubeconfig, env, homeDir, (p) => fs.existsSync(p));
  const configs = files.map((f) => parseKubeconfig(fs.readFileSync(f, 'utf8'), f));
  return resolveClientConfig(mergeKubeconfigs(configs), overrides, files);
}

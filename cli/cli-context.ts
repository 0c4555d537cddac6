// What every command gets: a connected RestClient, the namespace to act in, and where to write.
// Built from the global flags (kubectl's --kubeconfig, --context, --server, --token, -n,
// --insecure-skip-tls-verify, -v) so each command file only deals with its own flags.

import { loadClientConfig, type ClientConfig } from '../lib/client/kubeconfig.js';
import { RestClient } from '../lib/client/rest-client.js';
import { formatError } from './cli-errors.js';

export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  server?: string;
  token?: string;
  namespace?: string;
  insecureSkipTlsVerify?: boolean;
  /** kubectl's -v: 6 and up prints every request on stderr. */
  v?: number;
}

export interface CliContext {
  client: RestClient;
  config: ClientConfig;
  /** -n, else the context's namespace, else `default`. */
  namespace: string;
  /** Whether -n was given (create -f honours the file's namespace otherwise). */
  namespaceFromFlag: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Prints an error and remembers that the command failed, but lets it go on with the next item. */
  fail(err: unknown): void;
  readonly failed: boolean;
}

export function createCliContext(argv: GlobalOptions): CliContext {
  const config = loadClientConfig({
    kubeconfig: argv.kubeconfig,
    context: argv.context,
    server: argv.server,
    token: argv.token,
    namespace: argv.namespace,
    insecureSkipTlsVerify: argv.insecureSkipTlsVerify,
  });
  const err = (text: string) => void process.stderr.write(text);
  const client = new RestClient(config, {
    userAgent: 'kubelab/v0.1.0',
    onWarning: (w) => err(`Warning: ${w}\n`),
    onRequest: (argv.v ?? 0) >= 6 ? (r) => err(`${r.method} ${r.url} ${r.status} in ${r.durationMs} milliseconds\n`) : undefined,
  });
  let failed = false;
  return {
    client,
    config,
    namespace: config.namespace,
    namespaceFromFlag: argv.namespace !== undefined,
    out: (text) => void process.stdout.write(text),
    err,
    fail(e) {
      failed = true;
      err(formatError(e) + '\n');
    },
    get failed() {
      return failed;
    },
  };
}

/**
 * Runs a command body with a context and closes the client after, so the process can exit.
 * A command that reported per-item failures through fail() ends with exit code 1.
 */
export async function withCliContext(argv: GlobalOptions, body: (ctx: CliContext) => Promise<void>): Promise<void> {
  const ctx = createCliContext(argv);
  try {
    await body(ctx);
  } finally {
    ctx.client.close();
  }
  if (ctx.failed) process.exitCode = 1;
}

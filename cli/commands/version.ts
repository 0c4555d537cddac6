// `kubelab version`: this client's version and the API server's (GET /version).

import type { Argv } from 'yargs';
import type { GlobalOptions } from '../cli-context.js';
import type { KubelabCommand } from './index.js';

/** The CLI's own version; keep in step with package.json. */
export const CLIENT_VERSION = 'v0.1.0';

export const versionCommand: KubelabCommand<{ client?: boolean }> = {
  command: 'version',
  describe: 'Print the client and server versions',
  builder: (y: Argv<GlobalOptions>) => y.option('client', { type: 'boolean', describe: 'the client version only (no server needed)' }) as unknown as Argv<GlobalOptions & { client?: boolean }>,
  handler: async (argv) => {
    process.stdout.write(`Client Version: ${CLIENT_VERSION}\n`);
    if (argv.client) return;
    // Loaded only to ask the server: `version --client` needs no kubeconfig, YAML or HTTP client.
    const { withCliContext } = await import('../cli-context.js');
    await withCliContext(argv, async (ctx) => {
      const server = await ctx.client.request<{ gitVersion?: string }>('GET', '/version');
      ctx.out(`Server Version: ${server?.gitVersion ?? 'unknown'}\n`);
    });
  },
};

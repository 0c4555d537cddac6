// `kubelab dashboard [--url]`: open the web view the API server serves at /ui/, as
// `minikube dashboard` does.
//
// The CLI asks the API server, with its own bearer token, for a login code (one use, one minute)
// and builds the URL `<server>/ui/login?code=...`; the browser trades the code for a session
// cookie and the server redirects it to /ui/. The token from the kubeconfig never goes into a
// URL, and the printed URL is worthless once used or a minute old.
//
// Without --url the URL is handed to xdg-open when there is a display (DISPLAY or
// WAYLAND_DISPLAY); without one, or when xdg-open is missing, it is printed as with --url.

import { spawn } from 'node:child_process';
import type { Argv } from 'yargs';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import type { KubelabCommand } from './index.js';

/** What the API server answers (daemon/api/ui/ui-router.ts LoginCodeResponse). */
interface LoginCode {
  loginPath: string;
  expiresAt: string;
  user: string;
}

interface DashboardOptions {
  url: boolean;
}

/** The browser's URL: the code's path on the kubeconfig's server address. */
export function dashboardUrl(server: string, loginPath: string): string {
  return new URL(loginPath, server.endsWith('/') ? server : `${server}/`).toString();
}

/** True when a graphical session exists to open a browser in. */
export const hasDisplay = (env: NodeJS.ProcessEnv): boolean => Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);

/** Starts xdg-open detached; resolves false when it cannot be run. */
function openInBrowser(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

export const dashboardCommand: KubelabCommand<DashboardOptions> = {
  command: 'dashboard',
  describe: 'Open the live web view (/ui/) in a browser, signed in with a one-time login code',
  builder: (y: Argv<GlobalOptions>) =>
    y.option('url', { type: 'boolean', default: false, describe: 'print the one-time login URL instead of opening a browser' }),
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const code = await ctx.client.request<LoginCode>('POST', '/kubelab/v1/dashboard/login-codes', { body: {} });
      const url = dashboardUrl(ctx.config.server, code.loginPath);
      const seconds = Math.max(0, Math.round((Date.parse(code.expiresAt) - Date.now()) / 1000));
      if (argv.url) {
        ctx.out(`${url}\n`);
        return;
      }
      if (hasDisplay(process.env) && (await openInBrowser(url))) {
        ctx.out(`Opening the kubelab web view in your browser (signed in as ${code.user}).\n`);
        return;
      }
      ctx.out(`No browser to open here (no DISPLAY or WAYLAND_DISPLAY, or no xdg-open). Open this URL within ${seconds} s; it works once:\n${url}\n`);
    }),
};

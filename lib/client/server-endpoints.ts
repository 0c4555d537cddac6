// ServerEndpoints: which API server a node agent talks to, when the cluster has several.
//
// A k3s agent keeps a client-side load balancer with every server's address and moves to the
// next one when its server stops answering; client-go's own reflectors simply re-dial. kubelab's
// agent does the same with this small list, shared by its RestClient (every request and watch)
// and its API forwarder (every TCP connection a CLI opens on the node's port 6443):
// - the list starts with the servers the agent was given (`--server`, repeatable) and is then
//   kept equal to the `default/kubernetes` Endpoints (planServerList): kube-apiserver's lease
//   endpoint reconciler lists there every server whose identity Lease is live;
// - requests go to the current server; a connection that cannot be made (refused, unreachable,
//   timed out) marks that server down for a back-off that doubles with each failure in a row
//   (250 ms, 500 ms, 1 s ... 8 s, the walk kube-proxy's userspace proxy took), and the next live
//   one becomes current (planServerOrder);
// - when every server is down, they are still tried, the one whose back-off ends first first:
//   a client that never tries again never notices the cluster came back.
//
// What counts as "a connection failed" and which requests may be sent again is the RestClient's
// business (lib/client/rest-client.ts); this module only remembers and decides the order.

import type { Endpoints } from '../api/types.js';

/** kube-proxy userspace's dial back-off, doubled per failure in a row and capped. */
export const SERVER_BACKOFF = { initialMs: 250, maxMs: 8_000 };

/** The port name kube-apiserver gives its own port in `default/kubernetes`. */
export const API_PORT_NAME = 'https';

export interface ServerState {
  /** `https://host:port`, no trailing slash. */
  url: string;
  /** Connection failures in a row (0: it answered last time). */
  failures: number;
  /** Not tried before this time (ms since the epoch) unless every server is down. */
  downUntilMs: number;
}

/** How long a server that failed `failures` times in a row is skipped. */
export function backoffMs(failures: number, backoff = SERVER_BACKOFF): number {
  if (failures <= 0) return 0;
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1));
}

/**
 * The order in which one request tries the servers: the live ones (back-off over) starting at
 * `current` and going round the list, then the ones still backing off, soonest back first.
 */
export function planServerOrder(servers: readonly ServerState[], current: string | undefined, nowMs: number): string[] {
  const start = Math.max(0, servers.findIndex((s) => s.url === current));
  const rotated = [...servers.slice(start), ...servers.slice(0, start)];
  const live = rotated.filter((s) => s.downUntilMs <= nowMs);
  const down = rotated.filter((s) => s.downUntilMs > nowMs).sort((a, b) => a.downUntilMs - b.downUntilMs);
  return [...live, ...down].map((s) => s.url);
}

/** `https://10.0.0.1:6443/` → `https://10.0.0.1:6443`: one spelling per server, so lists compare. */
export function normalizeServerUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}

/**
 * `--server` values as given (repeated, or comma-separated) → one URL per server, normalized.
 * Throws an Error naming the value that is not an http(s) URL.
 */
export function serversOfFlags(values: readonly string[]): string[] {
  const urls = values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  if (urls.length === 0) throw new Error('--server: give the API server\'s URL, e.g. https://192.168.56.11:6443');
  return [
    ...new Set(
      urls.map((value) => {
        let url: URL | undefined;
        try {
          url = new URL(value);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new Error(`--server: "${value}" is not a URL like https://192.168.56.11:6443`);
        return normalizeServerUrl(value);
      }),
    ),
  ];
}

const isLoopback = (host: string): boolean => /^127\./.test(host) || host === 'localhost' || host === '[::1]';

/**
 * The servers to know, from the ones given at start and the `default/kubernetes` Endpoints:
 * every address with the port named `https`, in the Endpoints' order, then the given ones the
 * Endpoints do not list (an Endpoints written before a server joined, or a --server name that
 * is a load balancer, must not leave the agent with nothing it was told to use). A loopback
 * address is only taken when a given server is on loopback too: a server on a one-host lab
 * writes 127.0.0.1, which from another host is that host itself.
 */
export function planServerList(given: readonly string[], endpoints: Endpoints | undefined): string[] {
  const givenUrls = given.map(normalizeServerUrl);
  const protocol = givenUrls[0] ? new URL(givenUrls[0]).protocol : 'https:';
  const loopbackAllowed = givenUrls.some((url) => isLoopback(new URL(url).hostname));
  const fromEndpoints: string[] = [];
  for (const subset of endpoints?.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => p.name === API_PORT_NAME) ?? (subset.ports?.length === 1 ? subset.ports[0] : undefined);
    if (!port) continue;
    for (const address of subset.addresses ?? []) {
      if (!address.ip || (!loopbackAllowed && isLoopback(address.ip))) continue;
      const host = address.ip.includes(':') ? `[${address.ip}]` : address.ip;
      fromEndpoints.push(`${protocol}//${host}:${port.port}`);
    }
  }
  return [...new Set([...fromEndpoints, ...givenUrls])];
}

export interface ServerEndpointsOptions {
  /** ms since the epoch; injected by tests. */
  now?: () => number;
  backoff?: { initialMs: number; maxMs: number };
  /** Told when requests move to another live server (the agent logs it); not while every server is down. */
  onSwitch?: (from: string, to: string) => void;
}

export class ServerEndpoints {
  private servers: ServerState[] = [];
  private currentUrl: string;
  private readonly now: () => number;
  private readonly backoff: { initialMs: number; maxMs: number };

  constructor(
    urls: readonly string[],
    private readonly options: ServerEndpointsOptions = {},
  ) {
    if (urls.length === 0) throw new Error('ServerEndpoints: at least one API server URL is needed');
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? SERVER_BACKOFF;
    this.replace(urls);
    this.currentUrl = this.servers[0].url;
  }

  /** The server requests go to first. */
  get current(): string {
    return this.currentUrl;
  }

  /** Every known server, in list order. */
  list(): string[] {
    return this.servers.map((s) => s.url);
  }

  /** Where one request should try, in order (planServerOrder). */
  order(): string[] {
    return planServerOrder(this.servers, this.currentUrl, this.now());
  }

  /** A server answered (whatever the status): it is live, and it is where requests go. */
  markReachable(url: string): void {
    const state = this.find(url);
    if (!state) return;
    state.failures = 0;
    state.downUntilMs = 0;
    this.switchTo(url);
  }

  /** A connection to `url` failed: it backs off, and the next server in order becomes current. */
  markFailed(url: string): void {
    const state = this.find(url);
    if (!state) return;
    state.failures += 1;
    state.downUntilMs = this.now() + backoffMs(state.failures, this.backoff);
    if (url === this.currentUrl) this.switchTo(this.order()[0]);
  }

  /**
   * Takes a new list (planServerList's): servers already known keep their back-off, new ones
   * start live; the current server stays current while it is listed.
   */
  replace(urls: readonly string[]): void {
    const wanted = [...new Set(urls.map(normalizeServerUrl))];
    if (wanted.length === 0) return; // an empty list is a broken Endpoints, not "no servers"
    this.servers = wanted.map((url) => this.find(url) ?? { url, failures: 0, downUntilMs: 0 });
    if (this.currentUrl !== undefined && !this.find(this.currentUrl)) this.switchTo(this.order()[0]);
  }

  private find(url: string): ServerState | undefined {
    return this.servers.find((s) => s.url === url);
  }

  private switchTo(url: string): void {
    if (url === this.currentUrl) return;
    const from = this.currentUrl;
    this.currentUrl = url;
    const live = (this.find(url)?.downUntilMs ?? 0) <= this.now();
    if (from !== undefined && live) this.options.onSwitch?.(from, url);
  }
}

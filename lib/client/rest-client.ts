// RestClient: the ApiClient that speaks HTTPS to a kubelab (or Kubernetes) API server, for the
// CLI and for node agents on other hosts. client-go's RESTClient plus the typed verbs on top.
//
// One request() does the transport work every verb shares: TLS trusting the cluster's CA (or
// nothing, with insecure-skip-tls-verify), the bearer token or client certificate, a keep-alive agent so a CLI command
// that makes five calls opens one connection, `Warning:` headers handed to onWarning, and every
// non-2xx answer turned into an ApiError (lib/errors.ts) so callers test `isNotFound(err)`
// instead of status codes.
//
// Watches are long GETs whose body is one JSON event per line; they are decoded as the chunks
// arrive and delivered in order. A watch that starts too far in the past gets a 410 ERROR event:
// it is delivered like any other event, and the caller re-lists (that is the informer contract).
//
// Several servers (a node agent of an HA cluster): given `servers` (server-endpoints.ts), every
// request goes to the current server and, when no connection can be made to it (refused,
// unreachable, no TLS handshake within connectTimeoutMs), to the next live one, as a k3s agent's
// load balancer does. A request is sent again only where that is safe: reads (GET, so also LIST
// and WATCH) always, on any transport failure; writes only when the connection never reached the
// server, because a POST that reached a server which then died may have been applied. An HTTP
// answer, even a 5xx, comes from a live server and is never retried here. Without `servers` the
// client talks to config.server alone, exactly as before.

import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { KubeObject, ObjectList } from '../api/types.js';
import { apiVersionOf } from '../api/resources.js';
import { ApiError, isGone } from '../errors.js';
import type { ApiClient, DeleteOptions, ListOptions, PatchType, Watch, WatchEvent, WatchOptions, WriteOptions } from './api-client.js';
import { queryString, resourceInfoFor, resourcePath } from './api-paths.js';
import type { ClientConfig } from './kubeconfig.js';
import { errorFromResponse, parseWarningHeader } from './response-error.js';
import type { ServerEndpoints } from './server-endpoints.js';
import { isTable, TABLE_ACCEPT, type Table } from './table.js';
import { WatchDecoder } from './watch-decoder.js';

export type Query = Record<string, string | number | boolean | string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  /** An object is sent as JSON; a string or Buffer as it is. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Resolve with the open response (after a 2xx status) instead of reading the body. */
  stream?: boolean;
  signal?: AbortSignal;
  /** Give up when the server sends nothing this long (ms; 0: never). Default: 30 s, none for streams. */
  idleTimeoutMs?: number;
}

/** One line of `-v=6` output: what was asked and how it went. */
export interface RequestLog {
  method: string;
  url: string;
  status: number;
  durationMs: number;
}

/** A plain request whose server goes silent this long has a dead connection. */
export const REQUEST_IDLE_TIMEOUT_MS = 30_000;
/** A watch with bookmarks (one every 10 s) that hears nothing this long is dead: it is re-opened. */
export const WATCH_IDLE_TIMEOUT_MS = 35_000;

export interface RestClientOptions {
  /** Called once per warning the server sends (`unknown field "spec.foo"`). */
  onWarning?: (warning: string) => void;
  /** Called when the response headers of each request arrive. */
  onRequest?: (log: RequestLog) => void;
  userAgent?: string;
  /** How long a watch may stay silent before it is taken for dead and ended (default 35 s). */
  watchIdleTimeoutMs?: number;
  /** Lists are fetched in pages of this many items (default 500, as kubectl; 0: in one request). */
  listChunkSize?: number;
  /** Several API servers to fail over between (config.server is then unused); absent: config.server alone. */
  servers?: ServerEndpoints;
  /** With `servers`: a connection (TCP and TLS) not made within this long counts as failed (default 10 s). */
  connectTimeoutMs?: number;
}

/** How long a failover client waits for a connection to a server before trying the next one. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Methods that change nothing: sent again on another server whatever went wrong on the way. */
const SAFE_TO_RETRY = new Set(['GET', 'HEAD', 'OPTIONS']);

/** kubectl's --chunk-size default and client-go's pager page size. */
export const DEFAULT_LIST_CHUNK_SIZE = 500;

/** Write options the CLI adds: who is writing (`kubectl-create`), as kubectl sends it. */
export interface RestWriteOptions extends WriteOptions {
  fieldManager?: string;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

export interface Scale extends KubeObject {
  spec: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

/** A failure to reach the server at all (refused, TLS, DNS): not an answer from it. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** Transport failures that happened before the request could have reached the server (a write may go elsewhere). */
const neverReachedServer = new WeakSet<Error>();

/** Whether `err` is a failure that came before any byte of the request can have reached a server. */
export const failedBeforeReachingServer = (err: unknown): boolean => err instanceof Error && neverReachedServer.has(err);

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

export class RestClient implements ApiClient {
  /** Every warning received, in order, also when onWarning is set. */
  readonly warnings: string[] = [];
  private readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    readonly config: ClientConfig,
    private readonly options: RestClientOptions = {},
  ) {
    this.base = new URL(config.server);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: config.caPem, cert: config.clientCertPem, key: config.clientKeyPem, rejectUnauthorized: !config.insecureSkipTlsVerify })
        : new http.Agent({ keepAlive: true });
  }

  /** Closes the kept-alive connections so a CLI process can exit. */
  close(): void {
    this.agent.destroy();
  }

  // ------------------------------------------------------------------------------------------
  // Transport

  request(method: string, path: string, options: RequestOptions & { stream: true }): Promise<IncomingMessage>;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  request(method: string, path: string, options: RequestOptions = {}): Promise<unknown> {
    const servers = this.options.servers;
    if (!servers) return this.attempt(this.base, method, path, options);
    return this.failover(servers, method, path, options);
  }

  /**
   * Tries the servers in ServerEndpoints' order until one answers (any HTTP status), or until a
   * failure that may not be retried: a write whose connection may have reached its server.
   */
  private async failover(servers: ServerEndpoints, method: string, path: string, options: RequestOptions): Promise<unknown> {
    const tried: string[] = [];
    let last: unknown;
    for (const server of servers.order()) {
      if (options.signal?.aborted) break;
      try {
        const answer = await this.attempt(new URL(server), method, path, options, this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
        servers.markReachable(server);
        return answer;
      } catch (err) {
        if (err instanceof ApiError) {
          servers.markReachable(server); // an HTTP answer: the server is alive, the request was refused
          throw err;
        }
        if (!(err instanceof Error) || err.name === 'AbortError') throw err;
        servers.markFailed(server);
        tried.push(new URL(server).host);
        last = err;
        if (!SAFE_TO_RETRY.has(method) && !failedBeforeReachingServer(err)) throw err; // it may have been applied
      }
    }
    if (tried.length > 1 && last instanceof Error) {
      const error = new ConnectionError(`no API server answered (tried ${tried.join(', ')}): ${last.message}`, { cause: last });
      if (failedBeforeReachingServer(last)) neverReachedServer.add(error);
      throw error;
    }
    throw last ?? new ConnectionError('no API server to send the request to');
  }

  /** One request to one server. */
  private attempt(base: URL, method: string, path: string, options: RequestOptions, connectTimeoutMs = 0): Promise<unknown> {
    const url = new URL(base.pathname.replace(/\/$/, '') + path + queryString(options.query ?? {}), base);
    const headers: Record<string, string | number> = { Accept: options.accept ?? 'application/json' };
    if (this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    if (this.config.token) headers.Authorization = `Bearer ${this.config.token}`;
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.isBuffer(options.body)
        ? options.body
        : Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const transport = url.protocol === 'https:' ? https : http;
    const started = Date.now();
    const what = `${method.toLowerCase()} ${path}`;

    return new Promise((resolve, reject) => {
      let response: IncomingMessage | undefined;
      const req = transport.request(url, { method, headers, agent: this.agent, signal: options.signal }, (res) => {
        response = res;
        this.options.onRequest?.({ method, url: url.toString(), status: res.statusCode ?? 0, durationMs: Date.now() - started });
        this.collectWarnings(res.headers);
        const code = res.statusCode ?? 0;
        if (options.stream && code >= 200 && code < 300) return resolve(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (code < 200 || code >= 300) return reject(errorFromResponse(code, text, what));
          resolve(parseBody(text, res.headers));
        });
      });
      // Until the connection (and its TLS handshake) is made, nothing of the request has left.
      let reached = false;
      req.on('socket', (socket: Socket) => {
        if (!socket.connecting) {
          reached = true; // a kept-alive connection: the request is written to it at once
          return;
        }
        const timer =
          connectTimeoutMs > 0
            ? setTimeout(() => req.destroy(Object.assign(new Error(`connect timed out after ${connectTimeoutMs / 1000} s`), { code: 'ETIMEDOUT' })), connectTimeoutMs)
            : undefined;
        socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
          reached = true;
          clearTimeout(timer);
        });
        socket.once('close', () => clearTimeout(timer));
      });
      req.on('error', (err) => {
        const error = this.explainTransportError(err, base);
        if (!reached) neverReachedServer.add(error);
        reject(error);
      });
      // A peer behind a cut cable sends nothing, not even a FIN: only silence tells.
      const idleMs = options.idleTimeoutMs ?? (options.stream ? 0 : REQUEST_IDLE_TIMEOUT_MS);
      if (idleMs > 0) {
        req.setTimeout(idleMs, () => {
          const silence = new ConnectionError(`the server ${base.host} sent nothing for ${idleMs / 1000} s (${what})`);
          response?.destroy(silence); // a streaming response's reader hears why it ended
          req.destroy(silence);
        });
      }
      req.end(payload);
    });
  }

  private collectWarnings(headers: IncomingHttpHeaders): void {
    const raw = headers.warning;
    if (!raw) return;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      for (const warning of parseWarningHeader(value)) {
        this.warnings.push(warning);
        this.options.onWarning?.(warning);
      }
    }
  }

  private explainTransportError(err: Error & { code?: string }, base: URL): Error {
    if (err.name === 'AbortError') return err;
    const host = base.host;
    if (err.code === 'ECONNREFUSED') {
      return new ConnectionError(`The connection to the server ${host} was refused - did you specify the right host or port?`, { cause: err });
    }
    if (err.code && /CERT|SELF_SIGNED|SSL|TLS/.test(err.code)) {
      return new ConnectionError(
        `Unable to connect to the server ${host}: ${err.message} (is certificate-authority-data in the kubeconfig the cluster's CA?)`,
        { cause: err },
      );
    }
    return new ConnectionError(`Unable to connect to the server ${host}: ${err.message}`, { cause: err });
  }

  // ------------------------------------------------------------------------------------------
  // ApiClient

  get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): Promise<T> {
    return this.request<T>('GET', resourcePath(resourceInfoFor(resource), namespace, name));
  }

  /**
   * One page when options.limit is set (the caller follows metadata.continue); otherwise the
   * whole list, fetched in pages of `listChunkSize` (500, as kubectl and client-go's pager).
   */
  async list<T extends KubeObject = KubeObject>(resource: string, options: ListOptions = {}): Promise<ObjectList<T>> {
    if (options.limit !== undefined || options.continue !== undefined) return this.listPage<T>(resource, options);
    return this.listAll<T>(resource, options, this.options.listChunkSize ?? DEFAULT_LIST_CHUNK_SIZE);
  }

  /**
   * The whole list in pages of `chunkSize` (0: one request), as client-go's pager does it: pages
   * are joined; if the server expired the continue token meanwhile (410), the list is fetched
   * again in one request, as kubectl does, so the result is one consistent list.
   */
  async listAll<T extends KubeObject = KubeObject>(resource: string, options: ListOptions, chunkSize: number): Promise<ObjectList<T>> {
    const selectors: ListOptions = { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    if (chunkSize <= 0) return this.listPage<T>(resource, selectors);
    const first = await this.listPage<T>(resource, { ...selectors, limit: chunkSize });
    let token = first.metadata.continue;
    while (token) {
      let page: ObjectList<T>;
      try {
        page = await this.listPage<T>(resource, { ...selectors, limit: chunkSize, continue: token });
      } catch (err) {
        if (isGone(err)) return this.listPage<T>(resource, selectors);
        throw err;
      }
      first.items.push(...page.items);
      token = page.metadata.continue;
    }
    first.metadata = { resourceVersion: first.metadata.resourceVersion };
    return first;
  }

  private async listPage<T extends KubeObject>(resource: string, options: ListOptions): Promise<ObjectList<T>> {
    const info = resourceInfoFor(resource);
    const list = await this.request<ObjectList<T>>('GET', resourcePath(info, options.namespace), { query: listQuery(options) });
    // Items of a List carry no kind on the wire; fill it in so every object printed is complete.
    for (const item of list.items ?? []) {
      item.apiVersion ??= apiVersionOf(info);
      item.kind ??= info.kind;
    }
    list.items ??= [];
    list.metadata ??= { resourceVersion: '' };
    return list;
  }

  watch<T extends KubeObject = KubeObject>(resource: string, options: WatchOptions, onEvent: (event: WatchEvent<T>) => void): Watch {
    const path = resourcePath(resourceInfoFor(resource), options.namespace);
    // Bookmarks every 10 s are the heartbeat that lets a dead connection be noticed (idle timeout).
    return this.openWatch(path, { ...selectorQuery(options), resourceVersion: options.resourceVersion, allowWatchBookmarks: 'true' }, 'application/json', onEvent, this.options.watchIdleTimeoutMs ?? WATCH_IDLE_TIMEOUT_MS);
  }

  create<T extends KubeObject = KubeObject>(resource: string, obj: T, options: RestWriteOptions = {}): Promise<T> {
    const path = resourcePath(resourceInfoFor(resource), obj.metadata?.namespace);
    return this.request<T>('POST', path, { body: obj, query: writeQuery(options) });
  }

  update<T extends KubeObject = KubeObject>(resource: string, obj: T, options: RestWriteOptions = {}): Promise<T> {
    const path = resourcePath(resourceInfoFor(resource), obj.metadata.namespace, obj.metadata.name ?? '');
    return this.request<T>('PUT', path, { body: obj, query: writeQuery(options) });
  }

  updateStatus<T extends KubeObject = KubeObject>(resource: string, obj: T): Promise<T> {
    const path = resourcePath(resourceInfoFor(resource), obj.metadata.namespace, obj.metadata.name ?? '', 'status');
    return this.request<T>('PUT', path, { body: obj });
  }

  patch<T extends KubeObject = KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    options: RestWriteOptions & { subresource?: 'status' | 'scale' | 'ephemeralcontainers' } = {},
  ): Promise<T> {
    const path = resourcePath(resourceInfoFor(resource), namespace, name, options.subresource);
    return this.request<T>('PATCH', path, { body: patch, contentType: PATCH_CONTENT_TYPES[type], query: writeQuery(options) });
  }

  delete(resource: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<KubeObject> {
    const path = resourcePath(resourceInfoFor(resource), namespace, name);
    const body = {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
      ...(options.propagationPolicy ? { propagationPolicy: options.propagationPolicy } : {}),
      ...(options.preconditions ? { preconditions: options.preconditions } : {}),
      ...(options.dryRun ? { dryRun: ['All'] } : {}),
    };
    return this.request<KubeObject>('DELETE', path, { body });
  }

  // ------------------------------------------------------------------------------------------
  // Beyond ApiClient: what the CLI needs

  /** A list (no name) or one object as a server-side Table, for `get`'s human output. */
  async getTable(resource: string, namespace: string | undefined, name?: string, options: ListOptions = {}, chunkSize = this.options.listChunkSize ?? DEFAULT_LIST_CHUNK_SIZE): Promise<Table> {
    const path = resourcePath(resourceInfoFor(resource), namespace, name);
    if (name !== undefined) return this.request<Table>('GET', path, { accept: TABLE_ACCEPT });
    const selectors = { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    const page = (query: ListOptions) => this.request<Table>('GET', path, { accept: TABLE_ACCEPT, query: listQuery(query) });
    // Pages as kubectl's --chunk-size: the rows are joined; an expired token means one full list.
    if (chunkSize <= 0) return page(selectors);
    const first = await page({ ...selectors, limit: chunkSize });
    if (!isTable(first)) return first;
    let token = first.metadata?.continue;
    while (token) {
      let next: Table;
      try {
        next = await page({ ...selectors, limit: chunkSize, continue: token });
      } catch (err) {
        if (isGone(err)) return page(selectors);
        throw err;
      }
      first.rows.push(...(next.rows ?? []));
      token = next.metadata?.continue;
    }
    first.metadata = { ...(first.metadata?.resourceVersion ? { resourceVersion: first.metadata.resourceVersion } : {}) };
    return first;
  }

  /** A watch whose event objects are one-row Tables (`get -w`). */
  watchTable(resource: string, options: WatchOptions, onEvent: (event: { type: WatchEvent['type']; object: Table }) => void): Watch {
    const path = resourcePath(resourceInfoFor(resource), options.namespace);
    return this.openWatch(path, { ...selectorQuery(options), resourceVersion: options.resourceVersion }, TABLE_ACCEPT, onEvent);
  }

  getScale(resource: string, namespace: string, name: string): Promise<Scale> {
    return this.request<Scale>('GET', resourcePath(resourceInfoFor(resource), namespace, name, 'scale'));
  }

  /** `kubectl scale`: a merge patch of spec.replicas on the scale subresource. */
  patchScale(resource: string, namespace: string, name: string, replicas: number): Promise<Scale> {
    return this.request<Scale>('PATCH', resourcePath(resourceInfoFor(resource), namespace, name, 'scale'), {
      body: { spec: { replicas } },
      contentType: PATCH_CONTENT_TYPES.merge,
      query: { fieldManager: 'kubectl-scale' },
    });
  }

  /** The log stream of a container: raw text lines, open until the container ends when following. */
  logs(namespace: string, pod: string, options: LogOptions = {}): Promise<Readable> {
    return this.request('GET', resourcePath(resourceInfoFor('pods'), namespace, pod, 'log'), {
      accept: '*/*',
      stream: true,
      query: {
        container: options.container,
        follow: options.follow || undefined,
        tailLines: options.tailLines,
        timestamps: options.timestamps || undefined,
        previous: options.previous || undefined,
        sinceSeconds: options.sinceSeconds,
        limitBytes: options.limitBytes,
      },
    });
  }

  private openWatch<E>(path: string, query: Query, accept: string, onEvent: (event: E) => void, idleTimeoutMs?: number): Watch {
    // Before the answer arrives, stopping aborts the request; after, it closes the response.
    // (Aborting a request whose response is streaming makes Node emit an unhandled socket error.)
    const abort = new AbortController();
    let response: IncomingMessage | undefined;
    const watch = { stopped: false };
    const done = (async () => {
      try {
        response = await this.request('GET', path, { query: { ...query, watch: 'true' }, accept, stream: true, signal: abort.signal, idleTimeoutMs });
      } catch (err) {
        if (watch.stopped) return;
        // Some servers answer a too-old resourceVersion with a plain 410 instead of an ERROR event.
        if (isGone(err)) return onEvent({ type: 'ERROR', object: (err as ApiError).toStatus() } as E);
        throw err;
      }
      if (watch.stopped) return void response.destroy();
      await deliverEvents(response, onEvent, watch);
    })();
    const stop = () => {
      watch.stopped = true;
      if (response) response.destroy();
      else abort.abort();
    };
    return { stop, done };
  }
}

/** Reads NDJSON events off an open response until the server closes it or the watch is stopped. */
function deliverEvents<E>(res: IncomingMessage, onEvent: (event: E) => void, watch: { stopped: boolean }): Promise<void> {
  const decoder = new WatchDecoder();
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) => {
      res.destroy();
      reject(err);
    };
    res.on('data', (chunk: Buffer) => {
      if (watch.stopped) return;
      try {
        for (const event of decoder.push(chunk)) {
          onEvent(event as E);
          if (watch.stopped) return;
        }
      } catch (err) {
        fail(err);
      }
    });
    res.on('end', () => {
      try {
        if (!watch.stopped) for (const event of decoder.end()) onEvent(event as E);
        resolve();
      } catch (err) {
        reject(err);
      }
    });
    res.on('error', (err) => (watch.stopped ? resolve() : reject(err)));
    res.on('close', () => (watch.stopped || res.complete ? resolve() : reject(new Error('watch connection closed before the server finished the response'))));
  });
}

function selectorQuery(options: ListOptions): Query {
  return { labelSelector: options.labelSelector || undefined, fieldSelector: options.fieldSelector || undefined };
}

function listQuery(options: ListOptions): Query {
  return { ...selectorQuery(options), limit: options.limit, continue: options.continue || undefined };
}

function writeQuery(options: RestWriteOptions): Query {
  return { fieldManager: options.fieldManager, fieldValidation: options.fieldValidation, dryRun: options.dryRun ? 'All' : undefined };
}

function parseBody(text: string, headers: IncomingHttpHeaders): unknown {
  if (text === '') return undefined;
  if ((headers['content-type'] ?? '').includes('json')) return JSON.parse(text);
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// The API server's side of the kubelet stream protocol (daemon/kubelet/kubelet-server.ts): the
// PodStreams of one remote node, reached over HTTPS at its InternalIP and kubelet port.
//
// Like kube-apiserver with --kubelet-certificate-authority, it verifies the kubelet's certificate:
// signed by the cluster CA, valid for the address dialled (an IP SAN) and issued to the node the
// pod is on (CN system:node:<name>), so a host that took over a node's address, or another node,
// cannot pose as its kubelet and read the streams. It proves itself with its own client
// certificate (CN kube-apiserver-kubelet-client, like kubeadm's --kubelet-client-certificate).
// What the kubelet refuses before the upgrade (a 400 for a container that is not running, a 404
// for a recreated pod) comes back as the same ApiError; a node that cannot be reached, that
// presents a wrong certificate, or that refuses ours, is a 502 naming the node and its address,
// since the user can do nothing about it but look at the node.

import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { Duplex, PassThrough, type Readable } from 'node:stream';
import type { Socket } from 'node:net';
import type { Pod } from '../../lib/api/types.js';
import { ApiError, fromStatus } from '../../lib/errors.js';
import { API_SERVER_DEFAULTS } from '../config.js';
import type { NodeUsageReport } from '../../lib/metrics/usage-report.js';
import { MEMBERS_PATH, METRICS_PATH, NETWORK_PATH, USAGE_PATH } from '../kubelet/kubelet-server.js';
import type { MembersView } from '../../lib/node-views/members.js';
import type { NodeNetworkReport } from '../../lib/node-views/network.js';
import { kubeletCommonName } from '../pki/pki.js';
import { FramedSocket, StreamChannel, type Frame } from '../pod-streams/kubelet-stream-frames.js';
import { encodePodHeader, execQuery, KUBELET_STREAM_UPGRADE, logQuery, POD_HEADER } from '../pod-streams/kubelet-stream-protocol.js';
import type { AttachOptions, ExecOptions, ExecSession, LogOptions } from '../runtime/container-runtime.js';
import type { PodStreams } from '../pod-streams/pod-streams.js';

/** How long to wait for a TCP+TLS connection to a kubelet before calling its node unreachable. */
export const DEFAULT_KUBELET_DIAL_TIMEOUT_MS = API_SERVER_DEFAULTS.kubeletDialTimeoutMs;

export interface KubeletClientOptions {
  nodeName: string;
  host: string;
  port: number;
  tls: KubeletClientTls;
  dialTimeoutMs?: number;
}

/** The cluster CA the kubelet's certificate must chain to, and the API server's client certificate. */
export interface KubeletClientTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** The check a kubelet's certificate must pass beyond the CA: the address dialled, and the node's name. */
export function checkKubeletIdentity(nodeName: string, host: string, cert: tls.PeerCertificate): Error | undefined {
  const wrongAddress = tls.checkServerIdentity(host, cert);
  if (wrongAddress) return wrongAddress;
  const want = kubeletCommonName(nodeName);
  if (cert.subject?.CN !== want) return new Error(`its certificate was issued to ${JSON.stringify(cert.subject?.CN ?? '')}, not ${want}`);
  return undefined;
}

/** TLS verification failures, in words a user can act on. */
const CERTIFICATE_ERRORS = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function dialFailure(nodeName: string, err: Error & { code?: string }): string {
  if (!CERTIFICATE_ERRORS.has(err.code ?? '') && !/its certificate was issued to/.test(err.message)) return err.message;
  return (
    `its certificate is not the one the cluster CA issued to node ${nodeName} for this address (${err.message}); ` +
    'a node gets it when it joins: restart its agent, or re-register it (delete the Node and its password secret, then start the agent)'
  );
}

/** The error for a kubelet we could not talk to (kubectl prints: Error from server (ServiceUnavailable): ...). */
export function kubeletUnreachable(nodeName: string, address: string, why: string, cause?: unknown): ApiError {
  return new ApiError(502, 'ServiceUnavailable', `node "${nodeName}": its kubelet at ${address} cannot be reached: ${why} (is the node's agent running? kubelab get nodes shows its state)`, undefined, {
    cause,
  });
}

const segment = (s: string | undefined): string => encodeURIComponent(s ?? '');

export class KubeletClient implements PodStreams {
  constructor(private readonly options: KubeletClientOptions) {}

  private get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  async logs(pod: Pod, container: string, options: LogOptions & { previous?: boolean }): Promise<Readable> {
    const { namespace = '', name } = pod.metadata;
    const path = `/containerLogs/${segment(namespace)}/${segment(name)}/${segment(container)}?${logQuery(pod, options)}`;
    const answer = await this.request(path, pod, false);
    if (answer.kind !== 'response') throw kubeletUnreachable(this.options.nodeName, this.address, 'it answered a log request with an upgrade');
    return answer.response;
  }

  async exec(pod: Pod, container: string, options: ExecOptions): Promise<ExecSession> {
    const { namespace = '', name, uid = '' } = pod.metadata;
    const path = `/exec/${segment(namespace)}/${segment(name)}/${segment(uid)}/${segment(container)}?${execQuery(options)}`;
    return remoteExecSession(await this.upgrade(path, pod), options, this.lostError('exec'));
  }

  async attach(pod: Pod, container: string, options: AttachOptions): Promise<ExecSession> {
    const { namespace = '', name, uid = '' } = pod.metadata;
    const path = `/attach/${segment(namespace)}/${segment(name)}/${segment(uid)}/${segment(container)}?${execQuery(options)}`;
    return remoteExecSession(await this.upgrade(path, pod), options, this.lostError('attach'));
  }

  async portForward(pod: Pod, port: number): Promise<Duplex> {
    const { namespace = '', name, uid = '' } = pod.metadata;
    const path = `/portForward/${segment(namespace)}/${segment(name)}/${segment(uid)}?port=${port}`;
    return new ForwardedConnection(await this.upgrade(path, pod), this.lostError(`port-forward to ${namespace}/${name}:${port}`));
  }

  /** The node's latest usage report (GET /stats/usage), for metrics.k8s.io. */
  async usage(): Promise<NodeUsageReport> {
    const answer = await this.request(USAGE_PATH, undefined, false);
    if (answer.kind !== 'response') throw kubeletUnreachable(this.options.nodeName, this.address, 'it answered a usage request with an upgrade');
    const chunks: Buffer[] = [];
    for await (const chunk of answer.response) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as NodeUsageReport;
  }

  /** The node agent's Prometheus metrics (GET /metrics), as text. */
  async metrics(): Promise<string> {
    const answer = await this.request(METRICS_PATH, undefined, false);
    if (answer.kind !== 'response') throw kubeletUnreachable(this.options.nodeName, this.address, 'it answered a metrics request with an upgrade');
    const chunks: Buffer[] = [];
    for await (const chunk of answer.response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** The node's gossip table (GET /gossip/members). */
  async members(): Promise<MembersView> {
    return JSON.parse(await this.text(MEMBERS_PATH, 'members')) as MembersView;
  }

  /** The node's gossip changes as they happen (GET /gossip/members?watch=true): NDJSON, open until destroyed. */
  async memberChanges(): Promise<Readable> {
    const answer = await this.request(`${MEMBERS_PATH}?watch=true`, undefined, false);
    if (answer.kind !== 'response') throw kubeletUnreachable(this.options.nodeName, this.address, 'it answered a members watch with an upgrade');
    return answer.response;
  }

  /** The node's pod subnet, routes, proxy listeners and DNS (GET /network). */
  async network(): Promise<NodeNetworkReport> {
    return JSON.parse(await this.text(NETWORK_PATH, 'network')) as NodeNetworkReport;
  }

  private async text(path: string, what: string): Promise<string> {
    const answer = await this.request(path, undefined, false);
    if (answer.kind !== 'response') throw kubeletUnreachable(this.options.nodeName, this.address, `it answered a ${what} request with an upgrade`);
    const chunks: Buffer[] = [];
    for await (const chunk of answer.response) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private lostError(what: string): () => ApiError {
    return () => kubeletUnreachable(this.options.nodeName, this.address, `the connection carrying the ${what} was cut`);
  }

  private async upgrade(path: string, pod: Pod): Promise<Socket> {
    const answer = await this.request(path, pod, true);
    if (answer.kind !== 'upgrade') {
      answer.response.destroy();
      throw kubeletUnreachable(this.options.nodeName, this.address, `it did not upgrade the connection (HTTP ${answer.response.statusCode})`);
    }
    if (answer.head.length > 0) answer.socket.unshift(answer.head);
    return answer.socket;
  }

  /** One request to the kubelet: a 2xx response, a 101 upgrade, or a thrown ApiError. */
  private request(path: string, pod: Pod | undefined, upgrade: boolean): Promise<{ kind: 'response'; response: IncomingMessage } | { kind: 'upgrade'; socket: Socket; head: Buffer }> {
    const { nodeName, host, port, tls: credentials, dialTimeoutMs = DEFAULT_KUBELET_DIAL_TIMEOUT_MS } = this.options;
    return new Promise((resolve, reject) => {
      const req = https.request({
        host,
        port,
        path,
        method: 'GET',
        agent: false, // one connection per stream: follows and execs live long
        ca: credentials.caPem,
        cert: credentials.certPem,
        key: credentials.keyPem,
        rejectUnauthorized: true,
        checkServerIdentity: (_servername, cert) => checkKubeletIdentity(nodeName, host, cert),
        headers: {
          ...(pod ? { [POD_HEADER]: encodePodHeader(pod) } : {}),
          ...(upgrade ? { Connection: 'Upgrade', Upgrade: KUBELET_STREAM_UPGRADE } : {}),
        },
      });
      const dialTimer = setTimeout(() => req.destroy(new Error(`no connection within ${dialTimeoutMs} ms`)), dialTimeoutMs);
      req.once('socket', (socket) => socket.once('secureConnect', () => clearTimeout(dialTimer)));
      req.once('error', (err) => {
        clearTimeout(dialTimer);
        reject(kubeletUnreachable(nodeName, this.address, dialFailure(nodeName, err), err));
      });
      req.once('upgrade', (_response, socket, head) => {
        clearTimeout(dialTimer);
        resolve({ kind: 'upgrade', socket, head });
      });
      req.once('response', (response) => {
        clearTimeout(dialTimer);
        const code = response.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          resolve({ kind: 'response', response });
          return;
        }
        readError(response, code, nodeName, this.address).then(reject, reject);
      });
      req.end();
    });
  }
}

/** The kubelet's refusal as an ApiError: its own Status, except that a 401 is our problem, not the user's. */
async function readError(response: IncomingMessage, code: number, nodeName: string, address: string): Promise<ApiError> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (code === 401) return kubeletUnreachable(nodeName, address, 'it refused the API server\'s client certificate (401 Unauthorized): did the node join this cluster (the same CA)?');
  try {
    return fromStatus(JSON.parse(body), code);
  } catch {
    return kubeletUnreachable(nodeName, address, `it answered HTTP ${code}: ${body.slice(0, 200)}`);
  }
}

/** An ExecSession whose process runs on another node: frames in, frames out. */
export function remoteExecSession(socket: Socket, options: ExecOptions | AttachOptions, lost: () => ApiError): ExecSession {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let settle: { resolve: (code: number) => void; reject: (err: Error) => void } | undefined;
  const exitCode = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  exitCode.catch(() => undefined); // the caller may never ask; a cut connection must not crash us
  const finish = (outcome: { code: number } | { error: Error }) => {
    if ('code' in outcome) settle?.resolve(outcome.code);
    else settle?.reject(outcome.error);
    settle = undefined;
  };
  const outputOf = (channel: number) => (channel === StreamChannel.STDOUT ? stdout : channel === StreamChannel.STDERR ? stderr : undefined);

  const framed = new FramedSocket(socket, {
    onFrame: ({ channel, payload }: Frame) => {
      const output = outputOf(channel);
      if (output) framed.deliver(output, payload);
      else if (channel === StreamChannel.CLOSE) outputOf(payload[0])?.end();
      else if (channel === StreamChannel.EXIT) finish({ code: payload.readInt32BE(0) });
      else if (channel === StreamChannel.ERROR) finish({ error: fromStatus(JSON.parse(payload.toString('utf8')), 500) });
    },
    onEnd: () => {
      stdout.end();
      stderr.end();
      finish({ error: lost() }); // no effect when the exit code came first
      socket.destroy();
    },
  });

  let stdin: PassThrough | undefined;
  if (options.stdin) {
    stdin = new PassThrough();
    void framed.pump(stdin, StreamChannel.STDIN); // its end sends CLOSE(STDIN): EOF for the process
  }
  return {
    stdin,
    stdout,
    stderr: options.tty ? undefined : stderr,
    resize: async (width, height) => {
      framed.send(StreamChannel.RESIZE, JSON.stringify({ width, height }));
    },
    exitCode,
  };
}

/**
 * One forwarded TCP connection into a pod on another node, as a Duplex: what is written goes to
 * the pod, what the pod sends is read; end() half-closes towards the pod and reading goes on
 * until the pod finishes too.
 */
export class ForwardedConnection extends Duplex {
  private readonly framed: FramedSocket;
  private podFinished = false;
  private callerFinished = false;

  constructor(private readonly socket: Socket, lost: () => ApiError) {
    super({ allowHalfOpen: true });
    this.framed = new FramedSocket(socket, {
      onFrame: ({ channel, payload }) => {
        if (channel === StreamChannel.STDOUT) {
          if (!this.destroyed && !this.podFinished && !this.push(payload)) socket.pause();
        } else if (channel === StreamChannel.CLOSE && payload[0] === StreamChannel.STDOUT) {
          this.podFinished = true;
          this.push(null);
        } else if (channel === StreamChannel.ERROR) {
          this.destroy(fromStatus(JSON.parse(payload.toString('utf8')), 500));
        }
      },
      onEnd: (error) => {
        // Both directions closed: the kubelet ended the connection as agreed. Otherwise it was cut.
        if (!(this.podFinished && this.callerFinished)) this.destroy(error ?? lost());
        socket.destroy();
      },
    });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.framed.send(StreamChannel.STDIN, chunk)) callback();
    else this.socket.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.callerFinished = true;
    this.framed.sendClose(StreamChannel.STDIN); // the pod reads EOF
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}

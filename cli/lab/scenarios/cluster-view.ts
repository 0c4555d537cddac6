// What a scenario sees of the cluster while it runs: every Node and the pods of its namespace,
// kept current by watches (lib/client/informer.ts), so a step is narrated the moment the API
// shows it, not at the next poll. `waitFor` re-checks its condition on every change (and once a
// second, for conditions that turn true with time alone).

import type { Node, Pod } from '../../../lib/api/types.js';
import type { RestClient } from '../../../lib/client/rest-client.js';
import { Informer } from '../../../lib/client/informer.js';
import { systemClock } from '../../../lib/clock.js';
import { GOSSIP_STATE_ANNOTATION } from '../../../lib/scheduling.js';
import { CliError } from '../../cli-errors.js';

export const readyStatusOf = (node: Node | undefined) => node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
export const gossipStateOf = (node: Node | undefined) => node?.metadata.annotations?.[GOSSIP_STATE_ANNOTATION];
export const isPodReady = (pod: Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
/** Ready and not being deleted: a pod that serves. */
export const isServing = (pod: Pod) => isPodReady(pod) && !pod.metadata.deletionTimestamp;

export class ClusterView {
  private readonly abort = new AbortController();
  private readonly nodeInformer: Informer<Node>;
  private readonly podInformer: Informer<Pod>;
  private readonly listeners = new Set<() => void>();

  constructor(client: RestClient, readonly namespace: string) {
    this.nodeInformer = new Informer<Node>({ client, resource: 'nodes', clock: systemClock });
    this.podInformer = new Informer<Pod>({ client, resource: 'pods', listOptions: { namespace }, clock: systemClock });
    for (const informer of [this.nodeInformer, this.podInformer] as Informer[]) {
      informer.addEventHandler({ onAdd: () => this.changed(), onUpdate: () => this.changed(), onDelete: () => this.changed() });
    }
  }

  async start(): Promise<void> {
    void this.nodeInformer.start(this.abort.signal);
    void this.podInformer.start(this.abort.signal);
    await Promise.all([this.nodeInformer.waitForSync(this.abort.signal), this.podInformer.waitForSync(this.abort.signal)]);
  }

  stop(): void {
    this.abort.abort();
  }

  node(name: string): Node | undefined {
    return this.nodeInformer.list().find((n) => n.metadata.name === name);
  }

  nodes(): Node[] {
    return this.nodeInformer.list();
  }

  /** The namespace's pods, optionally those whose labels include `labels`. */
  pods(labels: Record<string, string> = {}): Pod[] {
    return this.podInformer.list().filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v));
  }

  /** Calls `listener` after every change; returns the function that unsubscribes. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first value `check` returns other than undefined, checked now, on every
   * change and every second; fails after `timeoutMs` with an error naming `what`.
   */
  waitFor<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearInterval(ticker);
        clearTimeout(timer);
        fn();
      };
      const evaluate = () => {
        try {
          const value = check();
          if (value !== undefined) finish(() => resolve(value));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      const unsubscribe = this.onChange(evaluate);
      const ticker = setInterval(evaluate, 1_000);
      const timer = setTimeout(() => finish(() => reject(new CliError(`timed out after ${timeoutMs / 1000} s waiting for ${what}`))), timeoutMs);
      evaluate();
    });
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

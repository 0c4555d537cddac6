// The service accounts controller (Kubernetes' pkg/controller/serviceaccount, "serviceaccount"
// in kube-controller-manager): every namespace has a ServiceAccount named `default`, the identity
// of every pod that names no other. It is made when the namespace appears and made again when
// someone deletes it.
//
// Keys are namespace names: a namespace added, or a `default` ServiceAccount deleted, enqueues
// its namespace; reconcile reads the store and creates what is missing. A namespace being deleted
// gets nothing new (its contents are on their way out).

import type { Namespace } from '../../../lib/api/types.js';
import type { ServiceAccount } from '../../../lib/api/service-account-types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { isAlreadyExists, isNotFound } from '../../../lib/errors.js';
import { Controller, type ControllerOptions } from '../controller.js';

export const SERVICE_ACCOUNTS_COMPONENT = 'serviceaccount-controller';
/** The account a pod runs as when it names none. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** The accounts `namespace` should have and does not (pure): `default`, unless it is there or the namespace is going. */
export function planServiceAccounts(namespace: Namespace | undefined, existing: ReadonlySet<string>): ServiceAccount[] {
  if (!namespace?.metadata.name || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return [];
  if (existing.has(DEFAULT_SERVICE_ACCOUNT)) return [];
  return [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: namespace.metadata.name } }];
}

export class ServiceAccountsController extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly accounts: Informer<ServiceAccount>;

  constructor(options: Omit<ControllerOptions, 'recorder'> & { recorder?: ControllerOptions['recorder'] }) {
    super(options, { component: SERVICE_ACCOUNTS_COMPONENT });
    this.namespaces = this.informers.informerFor<Namespace>('namespaces');
    this.accounts = this.informers.informerFor<ServiceAccount>('serviceaccounts');
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata.name!),
      onUpdate: (_old, ns) => this.queue.add(ns.metadata.name!),
    });
    this.accounts.addEventHandler({
      onDelete: (account) => account.metadata.name === DEFAULT_SERVICE_ACCOUNT && this.queue.add(account.metadata.namespace!),
    });
  }

  protected watched(): Informer[] {
    return [this.namespaces, this.accounts];
  }

  /** Every namespace, not every account: keys are namespace names. */
  protected override resync(): void {
    for (const ns of this.namespaces.list()) this.queue.add(ns.metadata.name!);
  }

  async reconcile(namespaceName: string): Promise<void> {
    let namespace: Namespace;
    try {
      namespace = await this.client.get<Namespace>('namespaces', undefined, namespaceName);
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    const existing = await this.client.list<ServiceAccount>('serviceaccounts', { namespace: namespaceName });
    for (const account of planServiceAccounts(namespace, new Set(existing.items.map((a) => a.metadata.name!)))) {
      try {
        await this.client.create('serviceaccounts', account);
      } catch (error) {
        // Created meanwhile (by a user, or another server's controller): the goal is met. A
        // namespace that began terminating refuses new objects: nothing to do either.
        if (!isAlreadyExists(error) && !isNamespaceTerminating(error)) throw error;
      }
    }
  }
}

const isNamespaceTerminating = (error: unknown): boolean => (error as { reason?: string })?.reason === 'Forbidden' && /is being terminated/.test(String((error as Error).message));

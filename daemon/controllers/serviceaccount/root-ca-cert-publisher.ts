// The root CA certificate publisher (Kubernetes' pkg/controller/certificates/rootcacertpublisher,
// "root-ca-cert-publisher" in kube-controller-manager): every namespace has a ConfigMap
// `kube-root-ca.crt` whose `ca.crt` is the cluster CA's certificate. Pods read it through their
// service account volume (daemon/kubelet/service-account-volume.ts) to trust the API server when
// they call it in-cluster, as kubectl and client libraries do.
//
// Keys are namespace names: a namespace added, or its ConfigMap changed or deleted, enqueues it;
// reconcile writes the ConfigMap back as it should be.

import type { KubeObject, Namespace } from '../../../lib/api/types.js';
import type { Informer } from '../../../lib/client/informer.js';
import { isAlreadyExists, isNotFound } from '../../../lib/errors.js';
import { Controller, type ControllerOptions } from '../controller.js';

export const ROOT_CA_PUBLISHER_COMPONENT = 'root-ca-cert-publisher';
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
/** The annotation kube-controller-manager puts on it, telling a reader what it is. */
const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

type ConfigMap = KubeObject & { data?: Record<string, string> };

/** What the publisher writes (pure): undefined when `current` already is right, or the namespace is going. */
export function planRootCaConfigMap(namespace: Namespace | undefined, current: ConfigMap | undefined, caPem: string): ConfigMap | undefined {
  if (!namespace?.metadata.name || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return undefined;
  const annotations = { ...(current?.metadata.annotations ?? {}), 'kubernetes.io/description': DESCRIPTION };
  if (current && current.data?.[ROOT_CA_KEY] === caPem && Object.keys(current.data).length === 1 && current.metadata.annotations?.['kubernetes.io/description'] === DESCRIPTION) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    ...(current ?? {}),
    metadata: { ...(current?.metadata ?? {}), name: ROOT_CA_CONFIG_MAP, namespace: namespace.metadata.name, annotations },
    data: { [ROOT_CA_KEY]: caPem },
  };
}

export class RootCaCertPublisher extends Controller {
  private readonly namespaces: Informer<Namespace>;
  private readonly configMaps: Informer<ConfigMap>;

  constructor(options: Omit<ControllerOptions, 'recorder'> & { recorder?: ControllerOptions['recorder']; caCertPem: string }) {
    super(options, { component: ROOT_CA_PUBLISHER_COMPONENT });
    this.caCertPem = options.caCertPem;
    this.namespaces = this.informers.informerFor<Namespace>('namespaces');
    this.configMaps = this.informers.informerFor<ConfigMap>('configmaps');
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata.name!), onUpdate: (_old, ns) => this.queue.add(ns.metadata.name!) });
    const onConfigMap = (cm: ConfigMap) => cm.metadata.name === ROOT_CA_CONFIG_MAP && this.queue.add(cm.metadata.namespace!);
    this.configMaps.addEventHandler({ onUpdate: (_old, cm) => onConfigMap(cm), onDelete: onConfigMap });
  }

  private readonly caCertPem: string;

  protected watched(): Informer[] {
    return [this.namespaces, this.configMaps];
  }

  protected override resync(): void {
    for (const ns of this.namespaces.list()) this.queue.add(ns.metadata.name!);
  }

  async reconcile(namespaceName: string): Promise<void> {
    const namespace = await this.client.get<Namespace>('namespaces', undefined, namespaceName).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    const current = await this.client.get<ConfigMap>('configmaps', namespaceName, ROOT_CA_CONFIG_MAP).catch((error: unknown) => {
      if (isNotFound(error)) return undefined;
      throw error;
    });
    const wanted = planRootCaConfigMap(namespace, current, this.caCertPem);
    if (!wanted) return;
    try {
      if (current) await this.client.update('configmaps', wanted);
      else await this.client.create('configmaps', wanted);
    } catch (error) {
      // Another writer came first: the next event or resync looks again. A terminating namespace refuses creates.
      if (!isAlreadyExists(error) && (error as { reason?: string }).reason !== 'Forbidden') throw error;
    }
  }
}

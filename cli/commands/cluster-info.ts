// `kubelab cluster-info`: where the control plane answers (from the kubeconfig) and the cluster
// services labelled kubernetes.io/cluster-service=true in kube-system (kube-dns, for instance).

import type { Argv } from 'yargs';
import type { Service } from '../../lib/api/types.js';
import { withCliContext, type GlobalOptions } from '../cli-context.js';
import type { KubelabCommand } from './index.js';

export const clusterInfoCommand: KubelabCommand<object> = {
  command: 'cluster-info',
  describe: 'Display the addresses of the control plane and of cluster services',
  builder: (y: Argv<GlobalOptions>) => y,
  handler: (argv) =>
    withCliContext(argv, async (ctx) => {
      const services = await ctx.client.list<Service>('services', { namespace: 'kube-system', labelSelector: 'kubernetes.io/cluster-service=true' });
      const server = ctx.config.server;
      ctx.out(`Kubernetes control plane is running at ${server}\n`);
      for (const svc of services.items) {
        const name = svc.metadata.labels?.['kubernetes.io/name'] ?? svc.metadata.name;
        const port = svc.spec?.ports?.[0];
        const portPart = port ? `:${port.name ?? port.port}` : '';
        ctx.out(`${name} is running at ${server}/api/v1/namespaces/kube-system/services/${svc.metadata.name}${portPart}/proxy\n`);
      }
    }),
};

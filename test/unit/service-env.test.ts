// covers: Pod spec.enableServiceLinks

import assert from 'node:assert/strict';
import { envVariableName, envVarsFromServices, serviceEnvVars } from '../../lib/api/service-env.js';
import type { Service, ServicePort } from '../../lib/api/types.js';

function newService(name: string, namespace: string, clusterIP: string | undefined, ports: ServicePort[]): Service {
  return { metadata: { name, namespace }, spec: { clusterIP, ports } };
}

const asMap = (vars: { name: string; value?: string }[]) => Object.fromEntries(vars.map((v) => [v.name, v.value]));

describe('service environment variables', () => {
  it('one unnamed TCP port: the Kubernetes and Docker-link variables', () => {
    const vars = envVarsFromServices([newService('hello', 'default', '10.96.0.12', [{ port: 80, protocol: 'TCP', targetPort: 8080 }])]);
    assert.deepEqual(vars, [
      { name: 'HELLO_SERVICE_HOST', value: '10.96.0.12' },
      { name: 'HELLO_SERVICE_PORT', value: '80' },
      { name: 'HELLO_PORT', value: 'tcp://10.96.0.12:80' },
      { name: 'HELLO_PORT_80_TCP', value: 'tcp://10.96.0.12:80' },
      { name: 'HELLO_PORT_80_TCP_PROTO', value: 'tcp' },
      { name: 'HELLO_PORT_80_TCP_PORT', value: '80' },
      { name: 'HELLO_PORT_80_TCP_ADDR', value: '10.96.0.12' },
    ]);
  });

  const table: { title: string; services: Service[]; namespace: string; enableServiceLinks?: boolean; expect: Record<string, string | undefined> }[] = [
    {
      title: 'named ports get SERVICE_PORT_<NAME>, dashes become underscores, UDP is lower-cased in URLs',
      services: [newService('my-dns', 'default', '10.96.0.10', [{ name: 'dns-udp', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }])],
      namespace: 'default',
      expect: {
        MY_DNS_SERVICE_HOST: '10.96.0.10',
        MY_DNS_SERVICE_PORT: '53',
        MY_DNS_SERVICE_PORT_DNS_UDP: '53',
        MY_DNS_SERVICE_PORT_DNS_TCP: '53',
        MY_DNS_PORT: 'udp://10.96.0.10:53',
        MY_DNS_PORT_53_UDP: 'udp://10.96.0.10:53',
        MY_DNS_PORT_53_UDP_PROTO: 'udp',
        MY_DNS_PORT_53_UDP_PORT: '53',
        MY_DNS_PORT_53_UDP_ADDR: '10.96.0.10',
        MY_DNS_PORT_53_TCP: 'tcp://10.96.0.10:53',
        MY_DNS_PORT_53_TCP_PROTO: 'tcp',
        MY_DNS_PORT_53_TCP_PORT: '53',
        MY_DNS_PORT_53_TCP_ADDR: '10.96.0.10',
      },
    },
    {
      title: 'headless Services and Services of other namespaces give nothing',
      services: [newService('db', 'default', 'None', [{ port: 5432 }]), newService('other', 'prod', '10.96.0.7', [{ port: 80 }])],
      namespace: 'default',
      expect: {},
    },
    {
      title: 'the kubernetes Service is seen from every namespace, even with service links off',
      services: [newService('kubernetes', 'default', '10.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]), newService('web', 'team', '10.96.0.9', [{ port: 80 }])],
      namespace: 'team',
      enableServiceLinks: false,
      expect: {
        KUBERNETES_SERVICE_HOST: '10.96.0.1',
        KUBERNETES_SERVICE_PORT: '443',
        KUBERNETES_SERVICE_PORT_HTTPS: '443',
        KUBERNETES_PORT: 'tcp://10.96.0.1:443',
        KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
        KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
        KUBERNETES_PORT_443_TCP_PORT: '443',
        KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
      },
    },
    {
      title: 'a pod-namespace Service named kubernetes wins over the master one',
      services: [newService('kubernetes', 'default', '10.96.0.1', [{ port: 443 }]), newService('kubernetes', 'team', '10.96.0.50', [{ port: 8443 }])],
      namespace: 'team',
      expect: {
        KUBERNETES_SERVICE_HOST: '10.96.0.50',
        KUBERNETES_SERVICE_PORT: '8443',
        KUBERNETES_PORT: 'tcp://10.96.0.50:8443',
        KUBERNETES_PORT_8443_TCP: 'tcp://10.96.0.50:8443',
        KUBERNETES_PORT_8443_TCP_PROTO: 'tcp',
        KUBERNETES_PORT_8443_TCP_PORT: '8443',
        KUBERNETES_PORT_8443_TCP_ADDR: '10.96.0.50',
      },
    },
    {
      title: 'a Service without a ClusterIP yet gives nothing',
      services: [newService('pending', 'default', undefined, [{ port: 80 }])],
      namespace: 'default',
      expect: {},
    },
  ];
  for (const row of table) {
    it(row.title, () => {
      assert.deepEqual(asMap(serviceEnvVars(row.services, row.namespace, { enableServiceLinks: row.enableServiceLinks })), row.expect);
    });
  }

  it('orders by Service name whatever the input order', () => {
    const a = newService('alpha', 'default', '10.96.0.2', [{ port: 1 }]);
    const b = newService('beta', 'default', '10.96.0.3', [{ port: 2 }]);
    assert.deepEqual(serviceEnvVars([b, a], 'default'), serviceEnvVars([a, b], 'default'));
    assert.equal(serviceEnvVars([b, a], 'default')[0].name, 'ALPHA_SERVICE_HOST');
  });

  it('names: upper case, dashes to underscores', () => {
    assert.equal(envVariableName('hello-world-2'), 'HELLO_WORLD_2');
  });
});

// Certificates for kubelet stream tests, made as the daemon makes them: a cluster CA, a kubelet
// serving certificate for a node name at 127.0.0.1 (what the node gets at join), and the API
// server's kubelet client certificate; plus the same from a foreign CA, for what must be refused.

import type { KubeletClientTls } from '../../daemon/api/kubelet-client.js';
import type { KubeletServerTls } from '../../daemon/kubelet/kubelet-server.js';
import { createCaCertificate, createServingCertificate, type CertificateAndKey } from '../../daemon/pki/certificates.js';
import { createKubeletCertificate, KUBELET_CLIENT_COMMON_NAME } from '../../daemon/pki/pki.js';

export interface KubeletPki {
  ca: CertificateAndKey;
  /** What the kubelet of `nodeName` serves with. */
  kubeletServer(nodeName: string): KubeletServerTls;
  /** What the API server dials kubelets with. */
  apiServerClient: KubeletClientTls;
}

export function kubeletPki(): KubeletPki {
  const ca = createCaCertificate('test-cluster-ca', 1);
  const client = createServingCertificate({ commonName: KUBELET_CLIENT_COMMON_NAME, sans: { dns: [], ips: [] }, years: 1, issuer: ca, usage: 'client' });
  return {
    ca,
    kubeletServer: (nodeName) => ({ ...certAndKey(createKubeletCertificate(ca, nodeName, ['127.0.0.1'])), caPem: ca.certPem }),
    apiServerClient: { caPem: ca.certPem, certPem: client.certPem, keyPem: client.keyPem },
  };
}

const certAndKey = (c: CertificateAndKey) => ({ certPem: c.certPem, keyPem: c.keyPem });

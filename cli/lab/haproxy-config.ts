// The configuration of the lab's API load balancer: HAProxy in TCP mode in front of every
// server's API, as kind (its "external load balancer" container) and kubeadm's HA guide put one
// in front of several kube-apiservers. TCP mode passes TLS through untouched: clients still
// verify the servers' certificate against the cluster CA and authenticate with their own token
// or client certificate, end to end; the servers' certificates name the balancer's address
// (--tls-san) so that verification passes.
//
// Pure: text from a plan; lab-load-balancer.ts writes it and runs HAProxy.

import type { LabPlan } from './lab-plan.js';
import { LAB_API_PORT, serverHosts } from './lab-plan.js';

/**
 * Health checks and timeouts, with what each one does:
 * - `option httpchk GET /readyz` over TLS (`check-ssl verify none`), not a bare TCP check: the
 *   kernel completes a TCP handshake for a process that is stuck or stopped (its listen backlog),
 *   while an HTTPS request is answered only by a server whose event loop runs. /readyz is open
 *   to anyone (Kubernetes' system:public-info-viewer). `verify none` only for the probe: the
 *   probe carries no secret, and client traffic is verified end to end.
 * - every second (`inter 1s`), down after 2 failures, up after 1 success: a dead server leaves
 *   the rotation within about 2 s, the time gossip takes to declare a host dead (host-kubelabd.ts).
 * - `on-marked-down shutdown-sessions`: connections to a server marked down are closed, so a
 *   client's long-lived watch on a dead or cut-off server ends and the client reconnects (to a
 *   live one) instead of waiting on a silent socket.
 * - `retries` + `option redispatch`: a connection refused by a server not yet marked down is
 *   retried on another one, so the client does not see that window.
 * - `timeout client/server 1h`: watches stay open for minutes without a byte (BOOKMARKs aside);
 *   a short idle timeout would cut them.
 */
export const HAPROXY_HEALTH = { intervalMs: 1_000, fall: 2, rise: 1, checkTimeoutMs: 1_000, connectTimeoutMs: 2_000 } as const;

export function planHaproxyConfig(plan: LabPlan): string {
  const lb = plan.apiLoadBalancer;
  if (!lb) throw new Error(`lab ${plan.prefix} runs one server: it has no API load balancer`);
  const { intervalMs, fall, rise, checkTimeoutMs, connectTimeoutMs } = HAPROXY_HEALTH;
  return [
    `# kubelab lab ${plan.prefix}: the API load balancer (written by "kubelab lab up"; "kubelab lab down" removes it).`,
    '# TCP mode: TLS passes through to the servers, which clients verify with the cluster CA.',
    'global',
    '  log stdout format raw local0 info',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode tcp',
    '  log global',
    '  option tcplog',
    '  option redispatch',
    '  retries 2',
    `  timeout connect ${connectTimeoutMs}ms`,
    `  timeout check ${checkTimeoutMs}ms`,
    '  timeout client 1h',
    '  timeout server 1h',
    '',
    'frontend kube-apiserver',
    `  bind ${lb.address}:${lb.port}`,
    '  default_backend kube-apiservers',
    '',
    'backend kube-apiservers',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    `  default-server check check-ssl verify none inter ${intervalMs}ms fall ${fall} rise ${rise} on-marked-down shutdown-sessions`,
    ...serverHosts(plan).map((host) => `  server ${host.name} ${host.ip}:${LAB_API_PORT}`),
    '',
  ].join('\n');
}

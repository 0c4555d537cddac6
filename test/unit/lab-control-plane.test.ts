// The pure parts of a lab with several servers (kubelab lab up --servers M): which hosts are
// servers, the refusal of a server count etcd cannot use, each host's kubelabd and etcd command
// line, HAProxy's configuration, and how `lab status` reads etcdctl's answer.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { planHaproxyConfig } from '../../cli/lab/haproxy-config.js';
import { etcdArgv, etcdEndpoints, parseEndpointStatus } from '../../cli/lab/host-etcd.js';
import { kubelabdArgv } from '../../cli/lab/host-kubelabd.js';
import { labApiUrl, planLab } from '../../cli/lab/lab-plan.js';
import { upHosts } from '../../cli/lab/lab-up.js';

const timings = { podEvictionTimeoutSeconds: 10, nodeMonitorGracePeriodSeconds: 8 };
const flagValue = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];
const flagValues = (argv: string[], flag: string) => argv.flatMap((word, i) => (word === flag ? [argv[i + 1]!] : []));

describe('lab with several servers (pure)', () => {
  const plan = planLab('/tmp/lab-ha', 4, '10.250.3.0/24', 3);
  const [node1, node2, , node4] = plan.hosts;

  it('makes node1..nodeM servers and fronts them with a load balancer on the gateway', () => {
    assert.deepEqual(plan.hosts.map((h) => h.role), ['server', 'server', 'server', 'agent']);
    assert.equal(labApiUrl(plan), 'https://10.250.3.1:6443');
    assert.equal(plan.apiLoadBalancer?.configFile, '/tmp/lab-ha/haproxy.cfg');
    const single = planLab('/tmp/lab-one', 3, '10.250.3.0/24');
    assert.equal(single.apiLoadBalancer, undefined);
    assert.equal(labApiUrl(single), 'https://10.250.3.11:6443');
  });

  it('refuses an even server count, zero, or more servers than nodes, saying why', () => {
    const why = 'the servers share an etcd cluster, which needs a majority of its members, and an even number survives no more failures than the odd number below it';
    assert.throws(() => planLab('/tmp/x', 4, '10.250.3.0/24', 2), { message: `--servers must be 1 or an odd number (3, 5, ...) no larger than --nodes (4), not 2: ${why}` });
    assert.throws(() => planLab('/tmp/x', 2, '10.250.3.0/24', 3), { message: `--servers must be 1 or an odd number (3, 5, ...) no larger than --nodes (2), not 3: ${why}` });
    assert.throws(() => planLab('/tmp/x', 2, '10.250.3.0/24', 0), /--servers must be 1 or an odd number/);
  });

  it('refuses a bad --servers in lab up before it checks for root or makes anything', async () => {
    const dir = '/tmp/kubelab-never-made';
    await assert.rejects(upHosts({ dir, nodes: 4, servers: 2, extraImages: [], progress: () => undefined }), /^Error: --servers must be 1 or an odd number \(3, 5, \.\.\.\) no larger than --nodes \(4\), not 2:/);
    assert.equal(fs.existsSync(dir), false);
  });

  it('runs an etcd member per server host on its lab address, all members in the initial cluster', () => {
    const argv = etcdArgv(plan, node2!);
    assert.deepEqual(argv.slice(0, 3), ['nsenter', `--net=/var/run/netns/${node2!.netns}`, '--']);
    assert.equal(flagValue(argv, '--name'), 'node2');
    assert.equal(flagValue(argv, '--data-dir'), '/tmp/lab-ha/node2/etcd');
    assert.equal(flagValue(argv, '--listen-peer-urls'), 'http://10.250.3.12:2380');
    assert.equal(flagValue(argv, '--advertise-client-urls'), 'http://10.250.3.12:2379');
    assert.equal(flagValue(argv, '--initial-cluster'), 'node1=http://10.250.3.11:2380,node2=http://10.250.3.12:2380,node3=http://10.250.3.13:2380');
    assert.equal(etcdEndpoints(plan), 'http://10.250.3.11:2379,http://10.250.3.12:2379,http://10.250.3.13:2379');
  });

  it('starts node1 on etcd, joins the other servers to it, and sends agents through the load balancer', () => {
    const first = kubelabdArgv(plan, node1!, timings);
    assert.equal(flagValue(first, '--store'), 'etcd');
    assert.equal(flagValue(first, '--etcd-endpoints'), 'http://10.250.3.11:2379', 'its own host\'s member, as kubeadm\'s stacked etcd');
    assert.equal(first.includes('--server'), false);
    assert.deepEqual(flagValues(first, '--tls-san'), ['10.250.3.12', '10.250.3.13', '10.250.3.14', '10.250.3.1']);
    assert.equal(flagValue(first, '--leader-elect-lease-duration'), '4');
    assert.equal(flagValue(first, '--leader-elect-renew-deadline'), '3');
    assert.equal(flagValue(first, '--leader-elect-retry-period'), '1');

    const joining = kubelabdArgv(plan, node2!, timings);
    assert.equal(joining.includes('server'), true);
    assert.equal(flagValue(joining, '--server'), 'https://10.250.3.11:6443');
    assert.equal(flagValue(joining, '--token-file'), '/tmp/lab-ha/node1/data/join-token');
    assert.equal(flagValue(joining, '--store'), 'etcd');
    assert.equal(flagValue(joining, '--etcd-endpoints'), 'http://10.250.3.12:2379');

    const agent = kubelabdArgv(plan, node4!, timings);
    assert.equal(agent.includes('agent'), true);
    assert.equal(flagValue(agent, '--server'), 'https://10.250.3.1:6443');
    assert.equal(flagValue(agent, '--token-file'), '/tmp/lab-ha/node1/data/join-token');
  });

  it('keeps a one-server lab as it was: no etcd, no leader-election flags, agents on node1', () => {
    const single = planLab('/tmp/lab-one', 2, '10.250.3.0/24');
    const server = kubelabdArgv(single, single.hosts[0]!, timings);
    assert.equal(server.includes('--store'), false);
    assert.equal(server.includes('--leader-elect-lease-duration'), false);
    assert.deepEqual(flagValues(server, '--tls-san'), ['10.250.3.12']);
    assert.equal(flagValue(kubelabdArgv(single, single.hosts[1]!, timings), '--server'), 'https://10.250.3.11:6443');
  });

  it('writes a TCP HAProxy that health-checks every server over TLS and listens on the gateway', () => {
    const config = planHaproxyConfig(plan);
    assert.match(config, /^ {2}mode tcp$/m);
    assert.match(config, /^ {2}bind 10\.250\.3\.1:6443$/m);
    assert.match(config, /^ {2}option httpchk GET \/readyz$/m);
    assert.match(config, /^ {2}default-server check check-ssl verify none inter 1000ms fall 2 rise 1 on-marked-down shutdown-sessions$/m);
    assert.deepEqual(config.match(/^ {2}server .*$/gm), ['  server node1 10.250.3.11:6443', '  server node2 10.250.3.12:6443', '  server node3 10.250.3.13:6443']);
    assert.throws(() => planHaproxyConfig(planLab('/tmp/lab-one', 2, '10.250.3.0/24')), /runs one server: it has no API load balancer/);
  });

  it('reads etcdctl endpoint status: the leader, followers, and members that did not answer', () => {
    const endpoints = ['http://10.250.3.11:2379', 'http://10.250.3.12:2379', 'http://10.250.3.13:2379'];
    const stdout = JSON.stringify([
      { Endpoint: endpoints[0], Status: { header: { member_id: 111 }, leader: 222, raftTerm: 3, dbSize: 20480 } },
      { Endpoint: endpoints[1], Status: { header: { member_id: 222 }, leader: 222, raftTerm: 3, dbSize: 20480 } },
    ]);
    assert.deepEqual(parseEndpointStatus(stdout, endpoints), [
      { endpoint: endpoints[0], reachable: true, isLeader: false, raftTerm: 3, dbSizeBytes: 20480 },
      { endpoint: endpoints[1], reachable: true, isLeader: true, raftTerm: 3, dbSizeBytes: 20480 },
      { endpoint: endpoints[2], reachable: false, isLeader: false },
    ]);
    assert.deepEqual(parseEndpointStatus('', endpoints).map((m) => m.reachable), [false, false, false]);
  });
});

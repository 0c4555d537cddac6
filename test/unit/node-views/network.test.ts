// The Network section of `kubelab describe node`: the node's report (createNodeViews over a fake
// route table and proxy), the plan of what to print (planNetworkSection), and the printed lines.

import assert from 'node:assert/strict';
import { ManualClock } from '../../../lib/clock.js';
import { planNetworkSection, type NodeNetworkReport } from '../../../lib/node-views/network.js';
import { writeNetworkSection } from '../../../cli/describe/describe-node-network.js';
import { DescribeWriter } from '../../../cli/describe/tab-writer.js';
import { createNodeViews } from '../../../daemon/node-views/node-views.js';
import type { Route } from '../../../network/subnet/plan-routes.js';
import type { RouteTable } from '../../../network/subnet/route-table.js';

const report = (over: Partial<NodeNetworkReport> = {}): NodeNetworkReport => ({
  kind: 'NodeNetwork',
  node: 'node1',
  podSubnet: '10.244.1.0/24',
  clusterCidr: '10.244.0.0/16',
  gossip: true,
  routes: [
    { destination: '10.244.2.0/24', via: '10.99.0.12' },
    { destination: '10.244.3.0/24', via: '10.99.0.13' },
  ],
  peers: [
    { nodeName: 'node3', nodeIP: '10.99.0.13', podSubnet: '10.244.3.0/24', alive: true },
    { nodeName: 'node2', nodeIP: '10.99.0.12', podSubnet: '10.244.2.0/24', alive: true },
  ],
  listeners: [
    { service: 'default/web:', kind: 'NodePort', protocol: 'TCP', address: '10.99.0.11', port: 30080, endpoints: ['10.244.2.5:80'] },
    { service: 'default/kubernetes:https', kind: 'ClusterIP', protocol: 'TCP', address: '10.96.0.1', port: 443, endpoints: ['10.99.0.11:6443'] },
    { service: 'default/web:', kind: 'ClusterIP', protocol: 'TCP', address: '10.96.0.20', port: 80, endpoints: [] },
    { service: 'default/dns:', kind: 'ClusterIP', protocol: 'UDP', address: '10.96.0.30', port: 53, endpoints: ['10.244.3.4:53', '10.244.2.4:53'], error: 'address in use' },
  ],
  dns: { servers: ['10.244.1.1'], domain: 'cluster.local' },
  ...over,
});

describe('planNetworkSection: what describe node prints about a node\'s network', () => {
  it('one installed route per peer, by peer name; listeners ClusterIP first, then NodePort, with their endpoints', () => {
    const section = planNetworkSection(report());
    assert.equal(section.podSubnet, '10.244.1.0/24');
    assert.equal(section.dns, '10.244.1.1 (cluster.local)');
    assert.deepEqual(section.routes, [
      { destination: '10.244.2.0/24', via: '10.99.0.12', peer: 'node2', status: 'installed' },
      { destination: '10.244.3.0/24', via: '10.99.0.13', peer: 'node3', status: 'installed' },
    ]);
    assert.deepEqual(section.listeners, [
      { service: 'default/dns', kind: 'ClusterIP', address: '10.96.0.30:53/UDP', detail: 'not open: address in use' },
      { service: 'default/kubernetes:https', kind: 'ClusterIP', address: '10.96.0.1:443/TCP', detail: '1 endpoint' },
      { service: 'default/web', kind: 'ClusterIP', address: '10.96.0.20:80/TCP', detail: 'no endpoints' },
      { service: 'default/web', kind: 'NodePort', address: '10.99.0.11:30080/TCP', detail: '1 endpoint' },
    ]);
    assert.deepEqual(section.notes, []);
  });

  const routeCases: { name: string; over: Partial<NodeNetworkReport>; want: string[]; note?: RegExp }[] = [
    {
      name: 'a dead peer has no route, and says why',
      over: { routes: [{ destination: '10.244.2.0/24', via: '10.99.0.12' }], peers: [{ nodeName: 'node2', nodeIP: '10.99.0.12', podSubnet: '10.244.2.0/24', alive: true }, { nodeName: 'node3', nodeIP: '10.99.0.13', podSubnet: '10.244.3.0/24', alive: false }] },
      want: ['node2 installed', 'node3 none (peer not alive)'],
    },
    {
      name: 'a live peer without a route is missing (the reconciler adds it)',
      over: { routes: [] , peers: [{ nodeName: 'node2', nodeIP: '10.99.0.12', podSubnet: '10.244.2.0/24', alive: true }] },
      want: ['node2 missing'],
      note: /route reconciler/,
    },
    {
      name: 'a route via another host than the peer\'s IP is wrong; a route to no known peer is stale',
      over: { routes: [{ destination: '10.244.2.0/24', via: '10.99.0.99' }, { destination: '10.244.9.0/24', via: '10.99.0.19' }], peers: [{ nodeName: 'node2', nodeIP: '10.99.0.12', podSubnet: '10.244.2.0/24', alive: true }] },
      want: ['node2 wrong-next-hop', '<unknown> stale (no such peer)'],
    },
    {
      name: 'the node itself and a peer claiming our subnet get no route line',
      over: { routes: [], peers: [{ nodeName: 'node1', nodeIP: '10.99.0.11', podSubnet: '10.244.1.0/24', alive: true }, { nodeName: 'nodeX', nodeIP: '10.99.0.20', podSubnet: '10.244.1.0/24', alive: true }] },
      want: [],
      note: /no peers known yet/,
    },
    {
      name: 'a single-node server has no gossip and says so',
      over: { gossip: false, routes: [], peers: [] },
      want: [],
      note: /runs no gossip/,
    },
  ];
  for (const c of routeCases) {
    it(c.name, () => {
      const section = planNetworkSection(report(c.over));
      assert.deepEqual(section.routes.map((r) => `${r.peer} ${r.status}`), c.want);
      if (c.note) assert.ok(section.notes.some((n) => c.note!.test(n)), JSON.stringify(section.notes));
    });
  }

  it('prints a Network block with aligned route and listener tables', () => {
    const w = new DescribeWriter();
    writeNetworkSection(w, planNetworkSection(report({ listeners: report().listeners.slice(1, 2) })));
    assert.equal(
      w.toString(),
      [
        'Network:',
        '  Pod Subnet:   10.244.1.0/24',
        '  Cluster DNS:  10.244.1.1 (cluster.local)',
        '  Routes to peers:',
        '    Destination    Via         Peer   Status',
        '    -----------    ---         ----   ------',
        '    10.244.2.0/24  10.99.0.12  node2  installed',
        '    10.244.3.0/24  10.99.0.13  node3  installed',
        '  Proxy listeners:',
        '    Service                   Type       Address            Endpoints',
        '    -------                   ----       -------            ---------',
        '    default/kubernetes:https  ClusterIP  10.96.0.1:443/TCP  1 endpoint',
        '',
      ].join('\n'),
    );
  });
});

describe('createNodeViews: the node\'s network report', () => {
  it('reports only the kernel routes inside the cluster CIDR, the peers, each proxy listener and the DNS address', async () => {
    const kernel: Route[] = [
      { destination: 'default', via: '10.99.0.1' },
      { destination: '10.244.2.0/24', via: '10.99.0.12' },
      { destination: '172.17.5.0/24', via: '10.99.0.50' },
    ];
    const routeTable: RouteTable = { list: async () => kernel, add: async () => undefined, remove: async () => undefined };
    const views = createNodeViews({
      nodeName: 'node1',
      clock: new ManualClock(),
      podSubnet: '10.244.1.0/24',
      clusterCidr: '10.244.0.0/16',
      routeTable,
      peers: () => [{ nodeName: 'node2', nodeIP: '10.99.0.12', podSubnet: '10.244.2.0/24', alive: true }],
      proxy: {
        describe: () => ({
          services: [{ service: 'default/kubernetes:https', sessionAffinity: 'None', endpoints: ['10.99.0.11:6443'], listeners: [{ kind: 'ClusterIP', protocol: 'TCP', address: '10.96.0.1', port: 443, activeConnections: 0 }] }],
          addresses: ['10.96.0.1'],
        }),
      },
      dns: { servers: ['10.244.1.1'], domain: 'cluster.local' },
    });
    const network = await views.network();
    assert.deepEqual(network.routes, [{ destination: '10.244.2.0/24', via: '10.99.0.12' }]);
    assert.equal(network.gossip, false, 'no gossip member was given');
    assert.deepEqual(network.listeners, [{ service: 'default/kubernetes:https', kind: 'ClusterIP', protocol: 'TCP', address: '10.96.0.1', port: 443, endpoints: ['10.99.0.11:6443'] }]);
    assert.deepEqual(network.dns, { servers: ['10.244.1.1'], domain: 'cluster.local' });
    assert.deepEqual(views.members(), { kind: 'MembersView', node: 'node1', observedAt: new ManualClock().now().toISOString(), gossip: false, members: [] });
  });
});

import assert from 'node:assert/strict';
import { planRoutes, type Peer, type Route, type RoutePlan } from '../../../network/subnet/plan-routes.js';

const cluster = '10.244.0.0/16';
const self = { nodeName: 'n1', podSubnet: '10.244.0.0/24' };
const peer = (nodeName: string, index: number, alive = true): Peer => ({ nodeName, nodeIP: `192.168.0.${index + 1}`, podSubnet: `10.244.${index}.0/24`, alive });
const via = (index: number): Route => ({ destination: `10.244.${index}.0/24`, via: `192.168.0.${index + 1}` });

describe('planRoutes', () => {
  const cases: { name: string; peers: Peer[]; current: Route[]; want: RoutePlan }[] = [
    { name: 'no peers, no routes: nothing to do', peers: [], current: [], want: { add: [], remove: [] } },
    { name: 'a route to each live peer via its node IP', peers: [peer('n2', 1), peer('n3', 2)], current: [], want: { add: [via(1), via(2)], remove: [] } },
    { name: 'routes already in place are left alone', peers: [peer('n2', 1)], current: [via(1)], want: { add: [], remove: [] } },
    { name: 'a dead peer loses its route', peers: [peer('n2', 1, false)], current: [via(1)], want: { add: [], remove: [via(1)] } },
    { name: 'a peer that left loses its route', peers: [], current: [via(1)], want: { add: [], remove: [via(1)] } },
    {
      name: 'a peer whose node IP changed: old route out, new one in',
      peers: [{ ...peer('n2', 1), nodeIP: '192.168.0.99' }],
      current: [via(1)],
      want: { add: [{ destination: '10.244.1.0/24', via: '192.168.0.99' }], remove: [via(1)] },
    },
    { name: 'never a route to our own subnet, even if listed as a peer', peers: [peer('n1', 0), { ...peer('other', 0) }], current: [], want: { add: [], remove: [] } },
    { name: 'a route to our own subnet is never removed', peers: [], current: [{ destination: '10.244.0.0/24', via: '192.168.0.1' }], want: { add: [], remove: [] } },
    {
      name: 'routes outside the cluster CIDR (default, docker) are never touched',
      peers: [],
      current: [
        { destination: 'default', via: '172.17.0.1' },
        { destination: '172.18.0.0/16', via: '172.17.0.9' },
        { destination: '10.0.0.0/8', via: '172.17.0.9' },
      ],
      want: { add: [], remove: [] },
    },
    { name: 'a peer subnet outside the cluster CIDR is ignored', peers: [{ ...peer('n2', 1), podSubnet: '10.99.0.0/24' }], current: [], want: { add: [], remove: [] } },
    { name: 'two peers claiming one subnet: the first by name wins', peers: [{ ...peer('n3', 1), nodeIP: '192.168.0.50' }, peer('n2', 1)], current: [], want: { add: [via(1)], remove: [] } },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(planRoutes(self, c.peers, c.current, cluster), c.want));
  }

  it('rejects an invalid cluster CIDR', () => {
    assert.throws(() => planRoutes(self, [], [], 'nope'), /not an IPv4 CIDR/);
  });
});

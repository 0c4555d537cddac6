import assert from 'node:assert/strict';
import type { Endpoints } from '../../lib/api/types.js';
import { backoffMs, planServerList, planServerOrder, ServerEndpoints, serversOfFlags, type ServerState } from '../../lib/client/server-endpoints.js';

const endpoints = (subsets: Endpoints['subsets']): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', namespace: 'default' }, subsets });
const https = (ips: string[], port = 6443, name = 'https') => ({ addresses: ips.map((ip) => ({ ip })), ports: [{ name, port, protocol: 'TCP' }] });

describe('planServerList: the servers an agent knows, from --server and default/kubernetes', () => {
  const cases: { name: string; given: string[]; endpoints?: Endpoints; want: string[] }[] = [
    { name: 'no Endpoints yet: the given servers, normalized', given: ['https://10.0.0.1:6443/'], want: ['https://10.0.0.1:6443'] },
    {
      name: 'every live server of the Endpoints, then given ones they do not list',
      given: ['https://10.0.0.9:6443'],
      endpoints: endpoints([https(['10.0.0.1', '10.0.0.2', '10.0.0.3'])]),
      want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443', 'https://10.0.0.3:6443', 'https://10.0.0.9:6443'],
    },
    {
      name: 'a given server the Endpoints list is not repeated',
      given: ['https://10.0.0.2:6443', 'https://10.0.0.1:6443'],
      endpoints: endpoints([https(['10.0.0.1', '10.0.0.2'])]),
      want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443'],
    },
    {
      name: 'only the port named https counts (another port of the subset is not the API)',
      given: ['https://10.0.0.1:6443'],
      endpoints: endpoints([{ addresses: [{ ip: '10.0.0.5' }], ports: [{ name: 'metrics', port: 9100 }, { name: 'https', port: 7443 }] }]),
      want: ['https://10.0.0.5:7443', 'https://10.0.0.1:6443'],
    },
    {
      name: 'a subset without an https port (and not a single port) is ignored',
      given: ['https://10.0.0.1:6443'],
      endpoints: endpoints([{ addresses: [{ ip: '10.0.0.5' }], ports: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] }]),
      want: ['https://10.0.0.1:6443'],
    },
    {
      name: 'notReadyAddresses are not servers to use',
      given: ['https://10.0.0.1:6443'],
      endpoints: endpoints([{ ...https(['10.0.0.2']), notReadyAddresses: [{ ip: '10.0.0.3' }] }]),
      want: ['https://10.0.0.2:6443', 'https://10.0.0.1:6443'],
    },
    {
      name: 'a loopback address from a one-host server is dropped for an agent on another host',
      given: ['https://192.168.56.11:6443'],
      endpoints: endpoints([https(['127.0.0.1'])]),
      want: ['https://192.168.56.11:6443'],
    },
    {
      name: 'loopback addresses are kept when the agent itself was given a loopback server (one-machine tests)',
      given: ['https://127.0.0.1:40001'],
      endpoints: endpoints([https(['127.0.0.1'], 40001), https(['127.0.0.1'], 40002)]),
      want: ['https://127.0.0.1:40001', 'https://127.0.0.1:40002'],
    },
    {
      name: 'an empty Endpoints (every lease expired) leaves the given servers',
      given: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443'],
      endpoints: endpoints([]),
      want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(planServerList(c.given, c.endpoints), c.want));
  }
});

describe('planServerOrder: where one request tries, in order', () => {
  const s = (url: string, downUntilMs = 0): ServerState => ({ url, failures: downUntilMs ? 1 : 0, downUntilMs });
  const cases: { name: string; servers: ServerState[]; current: string; want: string[] }[] = [
    { name: 'the current one first, then round the list', servers: [s('a'), s('b'), s('c')], current: 'b', want: ['b', 'c', 'a'] },
    { name: 'servers backing off go last', servers: [s('a'), s('b', 2000), s('c')], current: 'a', want: ['a', 'c', 'b'] },
    { name: 'a current server backing off is not first', servers: [s('a', 1500), s('b'), s('c')], current: 'a', want: ['b', 'c', 'a'] },
    { name: 'all backing off: soonest back first', servers: [s('a', 3000), s('b', 1500), s('c', 2000)], current: 'a', want: ['b', 'c', 'a'] },
    { name: 'a back-off that is over counts as live', servers: [s('a', 1000), s('b')], current: 'a', want: ['a', 'b'] },
    { name: 'an unknown current starts at the top', servers: [s('a'), s('b')], current: 'zz', want: ['a', 'b'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(planServerOrder(c.servers, c.current, 1000), c.want));
  }

  it('back-off doubles per failure in a row, from 250 ms, capped at 8 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffMs(n)), [0, 250, 500, 1000, 2000, 4000, 8000, 8000]);
  });
});

describe('ServerEndpoints', () => {
  it('a failure moves requests to the next live server; an answer makes a server current again', () => {
    let now = 0;
    const switches: string[] = [];
    const servers = new ServerEndpoints(['https://a:1', 'https://b:1', 'https://c:1'], { now: () => now, onSwitch: (from, to) => switches.push(`${from}>${to}`) });
    assert.equal(servers.current, 'https://a:1');
    servers.markFailed('https://a:1');
    assert.equal(servers.current, 'https://b:1');
    assert.deepEqual(servers.order(), ['https://b:1', 'https://c:1', 'https://a:1']);
    now = 300; // a's 250 ms back-off is over: it is tried again in list order, but b stays current
    assert.deepEqual(servers.order(), ['https://b:1', 'https://c:1', 'https://a:1']);
    servers.markFailed('https://b:1');
    servers.markReachable('https://a:1');
    assert.equal(servers.current, 'https://a:1');
    assert.deepEqual(switches, ['https://a:1>https://b:1', 'https://b:1>https://c:1', 'https://c:1>https://a:1']);
    servers.markFailed('https://a:1');
    servers.markFailed('https://b:1');
    servers.markFailed('https://c:1');
    assert.deepEqual(switches.slice(3), ['https://a:1>https://c:1'], 'the move to live c is told; moving round servers that are all down is not');
  });

  it('replace keeps known servers\' back-off and the current server while it is listed; a vanished current one is left', () => {
    const now = 0;
    const servers = new ServerEndpoints(['https://a:1', 'https://b:1'], { now: () => now });
    servers.markFailed('https://a:1');
    servers.replace(['https://c:1', 'https://a:1', 'https://b:1']);
    assert.equal(servers.current, 'https://b:1');
    assert.deepEqual(servers.order(), ['https://b:1', 'https://c:1', 'https://a:1']);
    servers.replace(['https://c:1', 'https://a:1']);
    assert.equal(servers.current, 'https://c:1');
    servers.replace([]);
    assert.deepEqual(servers.list(), ['https://c:1', 'https://a:1'], 'an empty list is ignored');
  });
});

describe('serversOfFlags: --server, repeated or comma-separated', () => {
  const cases: { name: string; values: string[]; want: string[] | RegExp }[] = [
    { name: 'one URL', values: ['https://10.0.0.1:6443'], want: ['https://10.0.0.1:6443'] },
    { name: 'repeated', values: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443/'], want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443'] },
    { name: 'comma-separated, spaces and empty parts ignored', values: ['https://10.0.0.1:6443, https://10.0.0.2:6443,'], want: ['https://10.0.0.1:6443', 'https://10.0.0.2:6443'] },
    { name: 'a server given twice counts once', values: ['https://10.0.0.1:6443', 'https://10.0.0.1:6443/'], want: ['https://10.0.0.1:6443'] },
    { name: 'not a URL', values: ['10.0.0.1:6443'], want: /--server: "10\.0\.0\.1:6443" is not a URL like https:\/\/192\.168\.56\.11:6443$/ },
    { name: 'nothing', values: [','], want: /--server: give the API server's URL/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.want instanceof RegExp) assert.throws(() => serversOfFlags(c.values), c.want);
      else assert.deepEqual(serversOfFlags(c.values), c.want);
    });
  }
});

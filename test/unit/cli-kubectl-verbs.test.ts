// The pure parts of kubelab's port-forward, events, explain, config and completion: table
// tests of what each prints or decides, in kubectl's words.

import assert from 'node:assert/strict';
import { completeWords, completionScript } from '../../cli/completion/shell-completion.js';
import { explainText, typeGuess, type OpenApiDocument } from '../../cli/explain/explain-printer.js';
import { wrapWords } from '../../cli/explain/word-wrap.js';
import { contextRows, kubeconfigYaml, mergeRawKubeconfigs, minifyKubeconfig, redactKubeconfig } from '../../cli/kubeconfig-view.js';
import { parsePortSpecs, podPortMappings, servicePortMappings, hostPort, listenAddresses } from '../../cli/port-forward-plan.js';
import { eventInterval, EventTablePrinter, sortEvents, type PrintableEvent } from '../../cli/printers/events-printer.js';
import { forFieldSelector, parseEventTypes } from '../../cli/commands/events.js';
import type { Pod, Service } from '../../lib/api/types.js';

const now = new Date('2026-01-01T12:00:00Z');
const event = (name: string, last: string, extra: Partial<PrintableEvent> = {}): PrintableEvent => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { kind: 'Pod', name: 'web' },
  reason: 'Started',
  message: `message ${name} `,
  type: 'Normal',
  firstTimestamp: last,
  lastTimestamp: last,
  count: 1,
  ...extra,
});

describe('kubelab events printer', () => {
  it('sorts oldest first and prints kubectl events columns', () => {
    const events = sortEvents([event('b', '2026-01-01T11:59:00Z'), event('a', '2026-01-01T11:50:00Z', { count: 3, firstTimestamp: '2026-01-01T11:40:00Z', type: 'Warning', reason: 'BackOff' })]);
    assert.equal(
      new EventTablePrinter(false).print(events, now),
      [
        'LAST SEEN           TYPE      REASON    OBJECT    MESSAGE',
        '10m (x3 over 20m)   Warning   BackOff   Pod/web   message a',
        '60s                 Normal    Started   Pod/web   message b',
        '',
      ].join('\n'),
    );
  });

  it('prints the header once, and NAMESPACE first with -A', () => {
    const printer = new EventTablePrinter(true);
    assert.match(printer.print([event('a', '2026-01-01T11:59:00Z')], now), /^NAMESPACE   LAST SEEN   TYPE/);
    assert.doesNotMatch(printer.print([event('b', '2026-01-01T11:59:30Z')], now), /LAST SEEN/);
    assert.equal(new EventTablePrinter(false).print([], now), '');
  });

  it('LAST SEEN of an events.k8s.io series and of an event without times', () => {
    assert.equal(eventInterval(event('s', '', { eventTime: '2026-01-01T11:00:00Z', series: { count: 4, lastObservedTime: '2026-01-01T11:58:00Z' } }), now), '2m (x4 over 60m)');
    assert.equal(eventInterval(event('u', ''), now), '<unknown>');
  });

  it('--for and --types as kubectl reads them', () => {
    assert.equal(forFieldSelector('deploy/web'), 'involvedObject.kind=Deployment,involvedObject.name=web');
    assert.throws(() => forFieldSelector('web'), /--for must be in resource\/name form/);
    assert.deepEqual(parseEventTypes(['Warning,normal']), ['Warning', 'normal']);
    assert.throws(() => parseEventTypes(['Error']), /^CliError: valid --types are Normal or Warning$/);
  });
});

describe('kubelab port-forward plan', () => {
  const pod = { metadata: { name: 'web-1' }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ name: 'http', containerPort: 3000 }] }] } } as Pod;
  const service = { metadata: { name: 'web' }, spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }, { port: 82 }] } } as unknown as Service;

  const cases: Array<[string[], Array<{ local: number; remote: number | string }>]> = [
    [['8080:80'], [{ local: 8080, remote: 80 }]],
    [['80'], [{ local: 80, remote: 80 }]],
    [[':80'], [{ local: 0, remote: 80 }]],
    [['0:http'], [{ local: 0, remote: 'http' }]],
  ];
  for (const [specs, expected] of cases) it(`parses ${specs.join(' ')}`, () => assert.deepEqual(parsePortSpecs(specs), expected));

  it('refuses what kubectl refuses', () => {
    assert.throws(() => parsePortSpecs([]), /at least 1 PORT is required for port-forward/);
    assert.throws(() => parsePortSpecs(['1:2:3']), /invalid port format '1:2:3'/);
    assert.throws(() => parsePortSpecs(['8080:99999']), /must be a number 0-65535/);
  });

  it('translates service ports through targetPort (name, number, unset)', () => {
    assert.deepEqual(servicePortMappings(parsePortSpecs(['8080:80', ':81', '82']), service, pod), [
      { local: 8080, remote: 3000 },
      { local: 0, remote: 8081 },
      { local: 82, remote: 82 },
    ]);
    assert.throws(() => servicePortMappings(parsePortSpecs(['90']), service, pod), /^CliError: Service web does not have a service port 90$/);
  });

  it('resolves named container ports on pods', () => {
    assert.deepEqual(podPortMappings(parsePortSpecs(['9000:http']), pod), [{ local: 9000, remote: 3000 }]);
    assert.throws(() => podPortMappings(parsePortSpecs(['9000:x']), pod), /^CliError: Pod 'web-1' does not have a named port 'x'$/);
  });

  it('localhost means both loopback addresses', () => {
    assert.deepEqual(listenAddresses(['localhost']), ['127.0.0.1', '::1']);
    assert.equal(hostPort('::1', 8080), '[::1]:8080');
    assert.equal(hostPort('127.0.0.1', 8080), '127.0.0.1:8080');
  });
});

describe('kubelab explain printer', () => {
  it('wraps like go-wordwrap: at whitespace, keeping newlines, never splitting a long word', () => {
    assert.equal(wrapWords('aaa bbb ccc', 7), 'aaa bbb\nccc');
    assert.equal(wrapWords('one\ntwo three', 8), 'one\ntwo\nthree');
    assert.equal(wrapWords('x averyveryverylongword y', 5), 'x\naveryveryverylongword\ny');
  });

  const doc: OpenApiDocument = {
    components: {
      schemas: {
        'io.k8s.api.apps.v1.Thing': {
          description: 'Thing is a thing.',
          type: 'object',
          required: ['name'],
          properties: {
            name: { type: 'string', description: 'The name.' },
            mode: { type: 'string', enum: ['A', 'B', 'C', 'D', 'E'], description: 'The mode.' },
            parts: { type: 'array', items: { default: {}, allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.Part' }] }, description: 'The parts.' },
            port: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString', description: 'A port.' },
          },
          'x-kubernetes-group-version-kind': [{ group: 'apps', version: 'v1', kind: 'Thing' }],
        },
        'io.k8s.api.apps.v1.Part': { description: 'Part of a thing.', type: 'object', properties: { size: { type: 'integer', description: 'Its size.' } } },
        'io.k8s.apimachinery.pkg.util.intstr.IntOrString': { type: 'string', format: 'int-or-string' },
      },
    },
  };
  const gvk = { group: 'apps', version: 'v1', kind: 'Thing' };

  it('guesses types as kubectl: []Part, string for IntOrString, Object', () => {
    const props = doc.components!.schemas!['io.k8s.api.apps.v1.Thing']!.properties!;
    assert.equal(typeGuess(props.parts!, doc), '[]Part');
    assert.equal(typeGuess(props.port!, doc), 'string');
    assert.equal(typeGuess({ type: 'object' }, doc), 'Object');
    assert.equal(typeGuess({ type: 'object', additionalProperties: { type: 'string' } }, doc), 'map[string]string');
  });

  it('prints a kind: header, description, fields with required marks and at most 4 enum values', () => {
    assert.equal(
      explainText(doc, gvk, [], false),
      'GROUP:      apps\nKIND:       Thing\nVERSION:    v1\n\nDESCRIPTION:\n    Thing is a thing.\n    \nFIELDS:\n' +
        '  mode\t<string>\n  enum: A, B, C, D, ....\n    The mode.\n\n' +
        '  name\t<string> -required-\n    The name.\n\n' +
        '  parts\t<[]Part>\n    The parts.\n\n' +
        '  port\t<string>\n    A port.\n\n\n',
    );
  });

  it('follows a field path through arrays, and --recursive lists names and types', () => {
    assert.equal(explainText(doc, gvk, ['parts', 'size'], false), 'GROUP:      apps\nKIND:       Thing\nVERSION:    v1\n\nFIELD: size <integer>\n\n\nDESCRIPTION:\n    Its size.\n    \n\n');
    assert.match(explainText(doc, gvk, [], true), /FIELDS:\n {2}mode\t<string>\n {2}enum: A, B, C, D, ....\n {2}name\t<string> -required-\n {2}parts\t<\[\]Part>\n {4}size\t<integer>\n {2}port\t<string>\n\n$/);
    assert.throws(() => explainText(doc, gvk, ['bogus'], false), /^CliError: field "bogus" does not exist$/);
  });
});

describe('kubelab config view', () => {
  const a = {
    'current-context': 'lab',
    clusters: [{ name: 'lab', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': 'QUJD' } }],
    users: [{ name: 'admin', user: { token: 'secret', 'client-key-data': 'S0VZ', password: 'pw' } }],
    contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'admin', namespace: 'dev' } }],
  };
  const b = { 'current-context': 'other', contexts: [{ name: 'lab', context: { cluster: 'shadowed' } }, { name: 'b', context: { cluster: 'x', user: 'y' } }] };

  it('merges files: the first current-context and the first entry of a name win, sorted by name', () => {
    const merged = mergeRawKubeconfigs([a, b]);
    assert.equal(merged['current-context'], 'lab');
    assert.deepEqual((merged.contexts as { name: string }[]).map((c) => c.name), ['b', 'lab']);
    assert.deepEqual(contextRows(merged).rows, [
      ['CURRENT', 'NAME', 'CLUSTER', 'AUTHINFO', 'NAMESPACE'],
      ['', 'b', 'x', 'y', ''],
      ['*', 'lab', 'lab', 'admin', 'dev'],
    ]);
    assert.deepEqual(contextRows(merged, ['nope']).missing, ['nope']);
  });

  it('redacts as kubectl: DATA+OMITTED for certificate and key bytes, REDACTED for token and password', () => {
    assert.equal(
      kubeconfigYaml(redactKubeconfig(minifyKubeconfig(mergeRawKubeconfigs([a, b])))),
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        '    certificate-authority-data: DATA+OMITTED',
        '    server: https://127.0.0.1:6443',
        '  name: lab',
        'contexts:',
        '- context:',
        '    cluster: lab',
        '    namespace: dev',
        '    user: admin',
        '  name: lab',
        'current-context: lab',
        'kind: Config',
        'preferences: {}',
        'users:',
        '- name: admin',
        '  user:',
        '    client-key-data: DATA+OMITTED',
        '    password: REDACTED',
        '    token: REDACTED',
        '',
      ].join('\n'),
    );
  });

  it('an empty configuration prints as kubectl prints it', () => {
    assert.equal(kubeconfigYaml(mergeRawKubeconfigs([])), 'apiVersion: v1\nclusters: null\ncontexts: null\ncurrent-context: ""\nkind: Config\npreferences: {}\nusers: null\n');
    assert.throws(() => minifyKubeconfig(mergeRawKubeconfigs([])), /current-context must exist in order to minify/);
  });
});

describe('kubelab completion', () => {
  const words = ['get', 'describe', 'delete', 'completion', 'config', 'events'];
  const cases: Array<[string[], string[]]> = [
    [['ge'], ['get']],
    [['--kubeconfig', 'k', 'de'], ['delete', 'describe']],
    [['get', 'deploy'], ['deployments']],
    [['-n', 'x', 'describe', 'po'], ['pods']],
    [['completion', ''], ['bash', 'zsh']],
    [['config', 'use'], ['use-context']],
    [['get', 'pods', ''], []],
    [['get', '--wat'], []],
  ];
  for (const [typed, expected] of cases) it(`kubelab ${typed.join(' ')}<TAB> → ${expected.join(' ') || 'nothing'}`, () => assert.deepEqual(completeWords(typed, words), expected));

  it('both scripts call back into kubelab __complete', () => {
    assert.match(completionScript('bash'), /complete -o default -F _kubelab_completions kubelab/);
    assert.match(completionScript('zsh'), /compdef _kubelab kubelab/);
    assert.match(completionScript('zsh'), /kubelab __complete/);
  });
});

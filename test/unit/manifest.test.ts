import assert from 'node:assert/strict';
import { ManifestError, parseManifests } from '../../lib/api/manifest.js';

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;

describe('parseManifests', () => {
  it('reads one YAML document', () => {
    const [obj, ...rest] = parseManifests(pod('web'), 'pod.yaml');
    assert.equal(rest.length, 0);
    assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  });

  it('reads several documents and skips empty ones', () => {
    const text = `---\n# a comment only\n---\n${pod('a')}---\n${pod('b')}---\n`;
    assert.deepEqual(parseManifests(text, 'x.yaml').map((o) => o.metadata.name), ['a', 'b']);
  });

  it('returns nothing for an empty file', () => {
    assert.deepEqual(parseManifests('', 'empty.yaml'), []);
    assert.deepEqual(parseManifests('# nothing\n', 'empty.yaml'), []);
  });

  it('reads JSON', () => {
    const objs = parseManifests('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}', 'cm.json');
    assert.deepEqual(objs, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } }]);
  });

  it('reads flow-style YAML that starts like JSON', () => {
    const objs = parseManifests('{apiVersion: v1, kind: Namespace, metadata: {name: dev}}', 'ns.yaml');
    assert.equal(objs[0].metadata.name, 'dev');
  });

  it('expands a List and *List kinds', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [JSON.parse('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}'), { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b' } }] };
    assert.deepEqual(parseManifests(JSON.stringify(list), 'l.json').map((o) => o.kind), ['Pod', 'Service']);
    const podList = `apiVersion: v1\nkind: PodList\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: x}\n`;
    assert.deepEqual(parseManifests(podList, 'pl.yaml').map((o) => o.metadata.name), ['x']);
  });

  it('accepts generateName instead of name', () => {
    const objs = parseManifests('apiVersion: v1\nkind: Pod\nmetadata:\n  generateName: web-\n', 'g.yaml');
    assert.equal(objs[0].metadata.generateName, 'web-');
  });

  it('keeps YAML 1.2 scalars: on/yes stay strings, numbers stay numbers, quoted numbers strings', () => {
    const [obj] = parseManifests('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {enabled: on}}\ndata: {port: "80", flag: yes}\nx: 3\n', 'c.yaml');
    assert.deepEqual(obj.metadata.labels, { enabled: 'on' });
    assert.deepEqual(obj.data, { port: '80', flag: 'yes' });
    assert.equal(obj.x, 3);
  });

  it('supports anchors and merge keys', () => {
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: &l {app: web}\n  annotations:\n    <<: *l\n    extra: "1"\n`;
    const [obj] = parseManifests(text, 'a.yaml');
    assert.deepEqual(obj.metadata.annotations, { app: 'web', extra: '1' });
  });

  const errors: [string, string, string][] = [
    ['missing kind in document 2', `${pod('a')}---\napiVersion: v1\nmetadata: {name: b}\n`, 'examples/pod.yaml: document 2: missing "kind"'],
    ['missing apiVersion', 'kind: Pod\nmetadata: {name: a}\n', 'examples/pod.yaml: document 1: missing "apiVersion"'],
    ['missing metadata', 'apiVersion: v1\nkind: Pod\n', 'examples/pod.yaml: document 1: Pod: missing "metadata"'],
    ['missing name', 'apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: b}}\n', 'examples/pod.yaml: document 1: Pod: missing "metadata.name" (or "metadata.generateName")'],
    ['a scalar document', 'just text\n', 'examples/pod.yaml: document 1: expected an object with apiVersion, kind and metadata, got string "just text"'],
    ['a top-level list', '- a\n- b\n', 'examples/pod.yaml: document 1: expected an object with apiVersion, kind and metadata, got a list'],
    ['a bad List item', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, metadata: {name: x}}\n', 'examples/pod.yaml: document 1: items[0]: missing "kind"'],
  ];
  for (const [what, text, message] of errors) {
    it(`reports ${what}`, () => {
      assert.throws(() => parseManifests(text, 'examples/pod.yaml'), (e: unknown) => {
        assert.ok(e instanceof ManifestError);
        assert.ok(e instanceof Error);
        assert.equal(e.message, message);
        return true;
      });
    });
  }

  it('reports YAML syntax errors with line and column', () => {
    const text = `${pod('a')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n   bad: indent\n`;
    assert.throws(() => parseManifests(text, 'p.yaml'), (e: unknown) => {
      assert.ok(e instanceof ManifestError);
      assert.equal(e.documentNumber, 2);
      assert.match(e.message, /^p\.yaml: document 2: invalid YAML at line 13, column \d+: \S/);
      return true;
    });
  });

  it('reports duplicate keys', () => {
    assert.throws(() => parseManifests('apiVersion: v1\nkind: Pod\nkind: Service\nmetadata: {name: a}\n', 'd.yaml'), /d\.yaml: document 1: invalid YAML at line 3, column 1: Map keys must be unique/);
  });

  it('reports broken JSON', () => {
    assert.throws(() => parseManifests('{"apiVersion": "v1",', 'x.json'), /ManifestError: x\.json: document 1: invalid JSON: \S/);
  });
});

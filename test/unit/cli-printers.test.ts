import assert from 'node:assert/strict';
import type { Table } from '../../lib/client/table.js';
import { printJson } from '../../cli/printers/json-printer.js';
import { objectName, printNames } from '../../cli/printers/name-printer.js';
import { alignColumns, formatLabels, printTable } from '../../cli/printers/table-printer.js';
import { asList, printYaml } from '../../cli/printers/yaml-printer.js';
import { alignTabs, DescribeWriter } from '../../cli/describe/tab-writer.js';
import { podTable } from '../helpers/fake-api-server.js';

describe('cli printers', () => {
  const table = podTable([
    { name: 'web', labels: { app: 'web', tier: 'fe' } },
    { name: 'database-0', status: 'Pending', ready: '0/1', namespace: 'prod', labels: {} },
  ]) as Table;

  it('table: upper-cased headers, 3-space gaps, last column unpadded', () => {
    assert.equal(
      printTable(table),
      ['NAME         READY   STATUS    RESTARTS   AGE', 'web          1/1     Running   0          5m', 'database-0   0/1     Pending   0          5m', ''].join('\n'),
    );
  });

  it('table: priority-1 columns only with wide; NAMESPACE, LABELS, -L, --no-headers, name prefix', () => {
    assert.match(printTable(table), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    assert.match(printTable(table, { wide: true }), /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\n/);
    const all = printTable(table, { withNamespace: true, showLabels: true, labelColumns: ['app.kubernetes.io/tier', 'app'] });
    assert.match(all.split('\n')[0], /^NAMESPACE\s+NAME\s+.*AGE\s+TIER\s+APP\s+LABELS$/);
    assert.match(all.split('\n')[1], /^default\s+web\s+.*5m\s+web\s+app=web,tier=fe$/);
    assert.match(all.split('\n')[2], /^prod\s+database-0\s+.*<none>$/);
    const noHeaders = printTable(table, { noHeaders: true, namePrefix: 'pod/' });
    assert.equal(noHeaders.split('\n')[0], 'pod/web          1/1   Running   0   5m', 'widths from the rows alone');
  });

  it('formats labels sorted, <none> when empty; aligns any rows', () => {
    assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
    assert.equal(formatLabels({}), '<none>');
    assert.equal(alignColumns([['A', 'BB'], ['CCC', 'D']]), 'A     BB\nCCC   D\n');
  });

  it('name: singular, with the group for non-core kinds', () => {
    assert.equal(objectName({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } }), 'pod/web');
    assert.equal(objectName({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), 'deployment.apps/d');
    assert.equal(printNames([{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }]), 'service/s\n');
  });

  it('yaml: sorted keys, several objects as a List; json: 4-space indent', () => {
    const pod = { metadata: { name: 'web' }, kind: 'Pod', apiVersion: 'v1' };
    assert.equal(printYaml(pod), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n');
    assert.match(printYaml(asList([pod])), /^apiVersion: v1\nitems:\n  - apiVersion: v1\n[\s\S]*kind: List\nmetadata:\n  resourceVersion: ""\n$/);
    assert.equal(printJson({ a: { b: 1 } }), '{\n    "a": {\n        "b": 1\n    }\n}\n');
  });

  it('describe text: tab-aligned blocks like Go tabwriter', () => {
    assert.equal(alignTabs('Name:\tweb\nNamespace:\tdefault\nContainers:\n  c:\n    Image:\tx\n    Restart Count:\t0'), [
      'Name:       web',
      'Namespace:  default',
      'Containers:',
      '  c:',
      '    Image:          x',
      '    Restart Count:  0',
    ].join('\n'));
    const w = new DescribeWriter().line(0, 'Name:', 'p').map(0, 'Labels', { b: '2', a: '1' }).map(0, 'Annotations', {}, ': ');
    assert.equal(w.toString(), 'Name:         p\nLabels:       a=1\n              b=2\nAnnotations:  <none>\n');
  });
});

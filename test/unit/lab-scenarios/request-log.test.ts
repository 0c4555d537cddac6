// The load generator's log, counted: `ok <answer>` and `fail <message>` lines.

import assert from 'node:assert/strict';
import { countRequests, formatRequestCounts } from '../../../cli/lab/scenarios/request-log.js';
import { loadGeneratorPod } from '../../../cli/lab/scenarios/load-generator.js';

describe('load generator request log', () => {
  it('counts successes by answer and keeps the first failures', () => {
    const log = ['ok Hello World!', 'ok Hello World!', 'fail wget: can\'t connect to remote host: Connection refused', 'ok Hello World V2!', 'ok', 'sh: something odd', ''].join('\n');
    const counts = countRequests(log);
    assert.equal(counts.ok, 4);
    assert.equal(counts.failed, 1);
    assert.deepEqual(counts.byAnswer, { 'Hello World!': 2, 'Hello World V2!': 1, '(empty answer)': 1 });
    assert.deepEqual(counts.failures, ['fail wget: can\'t connect to remote host: Connection refused']);
    assert.equal(formatRequestCounts(counts), '5 requests: 4 ok (2 Hello World!, 1 Hello World V2!, 1 (empty answer)), 1 failed');
  });

  it('counts nothing in an empty log', () => {
    assert.deepEqual(countRequests(''), { ok: 0, failed: 0, byAnswer: {}, failures: [] });
  });

  it('pins the load pod to one host and bounds each request with timeout (busybox wget -T crashes)', () => {
    const pod = loadGeneratorPod('load', 'ns1', 'node1', 'http://10.96.0.20:80/');
    assert.deepEqual(pod.spec.nodeSelector, { 'kubernetes.io/hostname': 'node1' });
    const script = pod.spec.containers[0]!.command!.at(-1)!;
    assert.match(script, /timeout 5 wget -q -O - http:\/\/10\.96\.0\.20:80\//);
    assert.match(script, /trap "exit 0" TERM/);
  });
});

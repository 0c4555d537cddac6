import assert from 'node:assert/strict';
import { parseIperf3, parseWrk } from '../../bench/proxy.js';

const output = `Running 4s test @ http://10.244.0.2:3000/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   280.11us  400.00us  12.00ms   95.00%
  Latency Distribution
     50%  280.00us
     75%  350.00us
     90%  500.00us
     99%    3.27ms
  102932 requests in 4.00s, 10.00MB read
Requests/sec:  25733.12
Transfer/sec:      2.50MB
`;

describe('parseWrk', () => {
  it('reads requests/s and the p50/p99 latencies in ms', () => {
    assert.deepEqual(parseWrk(output), { requestsPerSecond: 25733.12, p50Ms: 0.28, p99Ms: 3.27 });
  });
  it('refuses a run with socket errors', () => {
    assert.throws(() => parseWrk(output + '  Socket errors: connect 0, read 3, write 0, timeout 0\n'), /wrk saw errors/);
  });
});

describe('parseIperf3', () => {
  it("reads the receiver's bits per second from the JSON report", () => {
    const report = { start: {}, intervals: [], end: { sum_sent: { bits_per_second: 9.9e9 }, sum_received: { bits_per_second: 9.8e9 } } };
    assert.equal(parseIperf3(JSON.stringify(report)), 9.8e9);
  });
  it('refuses a report that holds an error', () => {
    assert.throws(() => parseIperf3(JSON.stringify({ start: {}, intervals: [], end: {}, error: 'unable to connect to server: Connection refused' })), /iperf3: unable to connect/);
  });
});

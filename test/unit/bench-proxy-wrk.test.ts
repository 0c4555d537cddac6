import assert from 'node:assert/strict';
import { parseWrk } from '../../bench/proxy.js';

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

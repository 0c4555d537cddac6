import assert from 'node:assert/strict';
import {
  adoptedProbeResult,
  initialProbeState,
  planProbeStep,
  probeTimings,
  recordProbeAttempt,
  type ProbeAttempt,
  type ProbeResult,
  type ProbeType,
} from '../../daemon/kubelet/probe-state.js';

describe('probe state (pure)', () => {
  it('defaults the timings as Kubernetes does', () => {
    assert.deepEqual(probeTimings({ httpGet: { port: 80 } }), { initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(probeTimings({ exec: { command: ['true'] }, initialDelaySeconds: 5, periodSeconds: 2, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 }), {
      initialDelayMs: 5_000,
      periodMs: 2_000,
      timeoutMs: 3_000,
      successThreshold: 2,
      failureThreshold: 1,
    });
  });

  it('starts readiness as failure, liveness as success, startup as unknown', () => {
    assert.equal(initialProbeState('readiness').result, 'failure');
    assert.equal(initialProbeState('liveness').result, 'success');
    assert.equal(initialProbeState('startup').result, 'unknown');
  });

  const thresholdCases: { name: string; type: ProbeType; success: number; failure: number; attempts: ProbeAttempt[]; results: ProbeResult[]; changes: boolean[] }[] = [
    {
      name: 'readiness flips to success on the first success (successThreshold 1)',
      type: 'readiness', success: 1, failure: 3,
      attempts: ['success', 'success'], results: ['success', 'success'], changes: [true, false],
    },
    {
      name: 'readiness needs successThreshold successes in a row; a failure in between starts over',
      type: 'readiness', success: 2, failure: 3,
      attempts: ['success', 'failure', 'success', 'success'], results: ['failure', 'failure', 'failure', 'success'], changes: [false, false, false, true],
    },
    {
      name: 'readiness flips to failure only after failureThreshold failures in a row',
      type: 'readiness', success: 1, failure: 3,
      attempts: ['success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure'],
      results: ['success', 'success', 'success', 'success', 'success', 'success', 'failure'],
      changes: [true, false, false, false, false, false, true],
    },
    {
      name: 'an errored attempt is ignored: it neither counts nor breaks a run',
      type: 'readiness', success: 1, failure: 2,
      attempts: ['success', 'failure', 'error', 'failure'], results: ['success', 'success', 'success', 'failure'], changes: [true, false, false, true],
    },
    {
      name: 'liveness stays success until failureThreshold failures',
      type: 'liveness', success: 1, failure: 3,
      attempts: ['failure', 'failure', 'failure'], results: ['success', 'success', 'failure'], changes: [false, false, true],
    },
    {
      name: 'startup goes from unknown to success on its first success',
      type: 'startup', success: 1, failure: 30,
      attempts: ['failure', 'success'], results: ['unknown', 'success'], changes: [false, true],
    },
    {
      name: 'startup goes from unknown to failure after failureThreshold failures',
      type: 'startup', success: 1, failure: 2,
      attempts: ['failure', 'failure'], results: ['unknown', 'failure'], changes: [false, true],
    },
  ];
  for (const c of thresholdCases) {
    it(c.name, () => {
      const timings = { ...probeTimings({}), successThreshold: c.success, failureThreshold: c.failure };
      let state = initialProbeState(c.type);
      const results: ProbeResult[] = [];
      const changes: boolean[] = [];
      for (const attempt of c.attempts) {
        const next = recordProbeAttempt(c.type, state, attempt, timings);
        state = next.state;
        results.push(state.result);
        changes.push(next.changed);
      }
      assert.deepEqual(results, c.results);
      assert.deepEqual(changes, c.changes);
    });
  }

  it('a liveness or startup failure puts the worker on hold; a readiness failure does not', () => {
    const timings = { ...probeTimings({}), failureThreshold: 1 };
    for (const type of ['liveness', 'startup'] as const) {
      const { state } = recordProbeAttempt(type, initialProbeState(type), 'failure', timings);
      assert.deepEqual(state, { result: 'failure', lastAttempt: 'failure', run: 0, onHold: true }, type);
    }
    const { state } = recordProbeAttempt('readiness', initialProbeState('readiness'), 'failure', timings);
    assert.equal(state.onHold, false);
  });

  describe('planProbeStep', () => {
    const timings = { ...probeTimings({}), initialDelayMs: 5_000 };
    const base = { timings, startedAtMs: 100_000, nowMs: 110_000, started: true };
    const cases: { name: string; input: Partial<Parameters<typeof planProbeStep>[0]> & { type: ProbeType }; step: ReturnType<typeof planProbeStep> }[] = [
      { name: 'probes after the initial delay', input: { type: 'liveness' }, step: { action: 'probe' } },
      { name: 'waits during the initial delay', input: { type: 'readiness', nowMs: 104_999 }, step: { action: 'wait', reason: 'initial delay' } },
      { name: 'probes exactly when the initial delay ends', input: { type: 'readiness', nowMs: 105_000 }, step: { action: 'probe' } },
      { name: 'liveness waits for the startup probe', input: { type: 'liveness', started: false }, step: { action: 'wait', reason: 'not started' } },
      { name: 'readiness waits for the startup probe', input: { type: 'readiness', started: false }, step: { action: 'wait', reason: 'not started' } },
      { name: 'startup probes until started', input: { type: 'startup', started: false }, step: { action: 'probe' } },
      { name: 'startup is done once started', input: { type: 'startup', started: true }, step: { action: 'done' } },
      { name: 'on hold: done', input: { type: 'liveness', state: { result: 'failure', run: 0, onHold: true } }, step: { action: 'done' } },
    ];
    for (const c of cases) {
      it(c.name, () => {
        assert.deepEqual(planProbeStep({ ...base, state: initialProbeState(c.input.type), ...c.input }), c.step);
      });
    }
  });
  describe('adoptedProbeResult: where a worker starts for a container the pod status already reports on (a restarted kubelet)', () => {
    const cases: Array<[ProbeType, { ready?: boolean; started?: boolean } | undefined, ProbeResult]> = [
      ['readiness', { ready: true }, 'success'],
      ['readiness', { ready: false }, 'failure'],
      ['readiness', undefined, 'failure'],
      ['startup', { started: true }, 'success'],
      ['startup', { started: false }, 'unknown'],
      ['startup', undefined, 'unknown'],
      ['liveness', { ready: false, started: false }, 'success'],
    ];
    for (const [type, reported, result] of cases) {
      it(`${type} with status ${JSON.stringify(reported)} starts at ${result}`, () => assert.equal(adoptedProbeResult(type, reported), result));
    }
  });
});

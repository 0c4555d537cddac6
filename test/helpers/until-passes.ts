// Assertion-style polling for tests on real time: runs `check` until it stops throwing, and
// rethrows its last failure after timeoutMs. (For checks that return a value, see `eventually`
// in harness/test-daemon.ts; for ManualClock tests, `eventually` in test-cluster.ts.)

export async function untilPasses(check: () => Promise<void> | void, timeoutMs = 3000, intervalMs = 10): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

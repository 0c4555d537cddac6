// The load generator's log, read back: the load pod (load-generator.ts) prints one line per HTTP
// request it made through a Service, `ok <body>` or `fail <wget's message>`. Counting them tells
// how many requests succeeded, which version answered, and what the failures said.
//
// Pure: text in, counts out.

export interface RequestCounts {
  ok: number;
  failed: number;
  /** Successful requests by the answer's first line (`Hello World!`, `Hello World V2!`). */
  byAnswer: Record<string, number>;
  /** The first few failure lines, to show what went wrong. */
  failures: string[];
}

export function countRequests(log: string, keepFailures = 5): RequestCounts {
  const counts: RequestCounts = { ok: 0, failed: 0, byAnswer: {}, failures: [] };
  for (const raw of log.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('ok')) {
      counts.ok++;
      const answer = line.slice(2).trim() || '(empty answer)';
      counts.byAnswer[answer] = (counts.byAnswer[answer] ?? 0) + 1;
    } else if (line.startsWith('fail')) {
      counts.failed++;
      if (counts.failures.length < keepFailures) counts.failures.push(line);
    }
    // Anything else (an empty last line, a shell's complaint) is not a request.
  }
  return counts;
}

/** `412 requests: 412 ok (300 Hello World!, 112 Hello World V2!), 0 failed` */
export function formatRequestCounts(counts: RequestCounts): string {
  const answers = Object.entries(counts.byAnswer).map(([answer, n]) => `${n} ${answer}`).join(', ');
  return `${counts.ok + counts.failed} requests: ${counts.ok} ok${answers ? ` (${answers})` : ''}, ${counts.failed} failed`;
}

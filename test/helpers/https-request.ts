// One HTTPS request to a test API server on 127.0.0.1, read to the end: the status, the headers,
// the text and, when the text is JSON, the parsed body.

import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export function httpsRequest(options: { port: number; ca: string; method: string; path: string; headers: Record<string, string>; body?: string | Buffer; agent?: false }): Promise<TestResponse> {
  const { port, ca, method, path, headers, body } = options;
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, method, path, headers, ca, ...(options.agent === false ? { agent: false } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

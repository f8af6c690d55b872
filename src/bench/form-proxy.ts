/**
 * The customer of the bench's payments, as a pass-through HTTP proxy in front of the Payneteasy
 * simulator: every answer goes back unchanged, and when the simulator hands out a payment form
 * (`async-form-response` with its `paynet-order-id`) the form is completed (approved) right after the
 * answer has gone out. So a PaymentRequest's start-to-outcome holds no human time, and the bench never
 * polls a workflow or the simulator to find the form. Only the bench's payment account points here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePaynetResponse } from '../simulators/payneteasy';

export interface FormProxy {
  /** Base URL: the simulator's paths below it, e.g. `${url}/paynet/`. */
  readonly url: string;
  /** Forms completed so far, and forms the simulator refused to complete. */
  readonly completed: number;
  readonly refused: string[];
  close(): Promise<void>;
}

export async function startFormProxy(target: string, completeForm: (orderId: string) => void): Promise<FormProxy> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let completed = 0;
  const refused: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
          agent,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            const text = Buffer.concat(body);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(text, () => {
              const fields = answer.statusCode === 200 ? parsePaynetResponse(text.toString()) : {};
              if (fields.type !== 'async-form-response' || !fields['paynet-order-id']) return;
              try {
                completeForm(fields['paynet-order-id']);
                completed++;
              } catch (err) {
                refused.push(`${fields['paynet-order-id']}: ${(err as Error).message}`);
              }
            });
          });
        },
      );
      forward.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bench form proxy: ${err.message}`);
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get completed() {
      return completed;
    },
    refused,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      agent.destroy();
    },
  };
}

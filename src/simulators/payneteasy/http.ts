/**
 * The simulator's HTTP face: the API commands under `/paynet/api/` (with faults applied around them)
 * and the receiver's / customer's form pages under `/paynet/form/`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pause, type FaultQueue } from '../kit/faults';
import { createSimulatorApp, dropConnection, frameworkError } from '../kit/http';
import { COMMANDS, FORM_PATH, HANDLERS, type Command } from './commands';
import { FormError, type Engine } from './engine';
import { appliesTo, faultyAnswer, processes, type PayneteasyFault, type StatusNoise } from './faults';
import {
  FORM_OUTCOMES,
  formTransaction,
  formatMinor,
  isPayment,
  parseMajor,
  type CompleteFormOptions,
  type PaymentFormOutcome,
  type SimRoute,
} from './model';
import { ProtocolError, encodePaynetResponse, escapeHtml, type Answer } from './protocol';

export const API = '/paynet/api';
const RESPONSE_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
/** The API path of each command (the payouts are the v4 ones). */
const PATHS: Record<Command, string> = {
  payout: '/v4/payout',
  'payout-by-ref': '/v4/payout-by-ref',
  status: '/v2/status',
  return: '/v2/return',
  'sale-form': '/v2/sale-form',
  'preauth-form': '/v2/preauth-form',
  capture: '/v2/capture',
  void: '/v2/void',
};

/** Every operation the simulator serves, as `<version>/<command>` below `/paynet/api/` (per endpoint and per group). */
export const OPERATIONS: readonly string[] = Object.values(PATHS).map((path) => path.slice(1));

export function createApp(engine: Engine, faults: FaultQueue<PayneteasyFault>, noise: { current?: StatusNoise } = {}): FastifyInstance {
  const app = createSimulatorApp(() => ({ error: 'simulator admin endpoints are loopback only' }));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) =>
    done(null, body),
  );
  const isApi = (request: FastifyRequest) => request.url.startsWith(`${API}/`);

  // Framework errors (body too large, unsupported content type) still get the protocol's answer shape.
  app.setErrorHandler((err, request, reply) => {
    const { clientError, statusCode, message } = frameworkError(err);
    if (isApi(request)) {
      const fields = clientError
        ? { type: 'validation-error', 'error-message': `request: ${message}`, 'error-code': 'INVALID_REQUEST' }
        : { type: 'error', 'error-message': 'internal simulator error', 'error-code': 'INTERNAL_ERROR' };
      return reply
        .code(clientError ? 200 : 500)
        .type(RESPONSE_TYPE)
        .send(encodePaynetResponse(fields));
    }
    return reply.code(statusCode).send({ error: clientError ? message : 'internal simulator error' });
  });
  app.setNotFoundHandler((request, reply) => {
    if (!isApi(request)) return reply.code(404).send({ error: `no route ${request.method} ${request.url}` });
    return reply
      .code(404)
      .type(RESPONSE_TYPE)
      .send(
        encodePaynetResponse({
          type: 'error',
          'error-message': `no command at ${request.method} ${request.url}`,
          'error-code': 'NOT_FOUND',
        }),
      );
  });

  const serve = async (command: Command, route: SimRoute, request: FastifyRequest, reply: FastifyReply) => {
    const fault = faults.take((f) => appliesTo(f, command));
    if (fault?.kind === 'drop-before-processing') return dropConnection(request, reply);
    if (fault?.kind === 'delay-before-processing') await pause(fault.ms);
    let out: Answer | undefined;
    if (processes(fault)) {
      try {
        out = HANDLERS[command](engine, request, route); // synchronous: no interleaving between requests
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        out = err.answer();
      }
    }
    if (out && command === 'status' && noise.current) out = noise.current.apply(out);
    if (fault?.kind === 'drop-after-processing') return dropConnection(request, reply);
    if (fault?.kind === 'latency') await pause(fault.ms);
    const answer = faultyAnswer(fault, out);
    return reply
      .code(answer.status)
      .type(answer.contentType ?? RESPONSE_TYPE)
      .send(answer.body);
  };
  for (const command of COMMANDS) {
    app.post<{ Params: { id: string } }>(`${API}${PATHS[command]}/:id`, (request, reply) =>
      serve(command, { kind: 'endpoint', id: request.params.id }, request, reply),
    );
    app.post<{ Params: { id: string } }>(`${API}${PATHS[command]}/group/:id`, (request, reply) =>
      serve(command, { kind: 'group', id: request.params.id }, request, reply),
    );
  }

  addFormPages(app, engine);
  return app;
}

/**
 * The receiver's form (docs/payneteasy.md, Payout): a page with a submit button, and its submission. For a
 * payment the customer's card form: card data (never stored, never seen by the merchant), an editable
 * amount (tip, partial payment) and, this being a simulator, the outcome to simulate.
 */
function addFormPages(app: FastifyInstance, engine: Engine): void {
  const page = (title: string, content: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body><h1>${escapeHtml(title)}</h1>${content}</body></html>`;
  app.get<{ Params: { orderId: string } }>(`${FORM_PATH}/:orderId`, async (request, reply) => {
    const order = engine.orders.get(request.params.orderId);
    reply.type('text/html; charset=utf-8');
    if (!order?.formUrl) return reply.code(404).send(page('Payout form not found', ''));
    const tx = formTransaction(order);
    if (order.formCompleted || tx.status !== 'processing') {
      const what = isPayment(order) ? 'Payment' : 'Payout';
      return reply.code(order.formCompleted ? 200 : 410).send(page(`${what} form closed`, `<p>${what} ${escapeHtml(tx.status)}.</p>`));
    }
    const action = `${FORM_PATH}/${encodeURIComponent(order.orderId)}`;
    if (isPayment(order)) {
      const options = FORM_OUTCOMES.map((o) => `<option value="${o}">${o}</option>`).join('');
      return reply.send(
        page(
          'Card payment',
          `<p>Order ${escapeHtml(order.clientOrderId)}</p>` +
            `<form method="post" action="${action}">` +
            `<label>Amount (${escapeHtml(order.currency)}) ` +
            `<input name="amount" value="${escapeHtml(formatMinor(BigInt(order.amountMinor), order.currency))}"></label>` +
            '<label>Card number <input name="card_number" autocomplete="cc-number"></label>' +
            '<label>Expiry <input name="card_expiry" placeholder="MM/YY"></label>' +
            '<label>CVV <input name="cvv2"></label>' +
            `<label>Simulated outcome <select name="outcome">${options}</select></label>` +
            '<button type="submit">Pay</button></form>',
        ),
      );
    }
    const amount = `${formatMinor(BigInt(order.amountMinor), order.currency)} ${order.currency}`;
    return reply.send(
      page(
        'Confirm payout',
        `<p>Order ${escapeHtml(order.clientOrderId)}: ${escapeHtml(amount)}</p>` +
          `<form method="post" action="${action}"><button type="submit">Confirm</button></form>`,
      ),
    );
  });

  app.post<{ Params: { orderId: string } }>(`${FORM_PATH}/:orderId`, async (request, reply) => {
    reply.type('text/html; charset=utf-8');
    const order = engine.orders.get(request.params.orderId);
    const payment = Boolean(order && isPayment(order));
    try {
      const options: CompleteFormOptions = {};
      if (order && payment) {
        const submitted = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
        const amount = submitted.get('amount') || undefined;
        if (amount !== undefined) {
          const minor = parseMajor(amount.trim(), order.currency);
          if (minor === undefined) throw new FormError(400, `amount "${amount}" is not a positive ${order.currency} amount`);
          options.amountMinor = minor.toString();
        }
        const outcome = submitted.get('outcome') || undefined;
        if (outcome !== undefined) options.outcome = outcome as PaymentFormOutcome; // checked by completeForm
      }
      engine.completeForm(request.params.orderId, options);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      return reply
        .code(err.httpStatus)
        .send(page(payment ? 'Payment form not accepted' : 'Payout form not accepted', `<p>${escapeHtml(err.message)}</p>`));
    }
    if (!payment) return reply.send(page('Payout confirmed', '<p>Your payout is being processed.</p>'));
    const back = order?.redirectUrl ? `<p><a href="${escapeHtml(order.redirectUrl)}">Back to the shop</a></p>` : '';
    return reply.send(page('Payment submitted', `<p>Your payment is being processed.</p>${back}`));
  });
}

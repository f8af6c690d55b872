/**
 * Logs and metrics. Logs are JSON lines (pino) with the workflow id, run id and, from the CUWOs,
 * the request id; secrets are redacted by key. Metrics: the Temporal SDK's Prometheus exporter
 * (worker, task and activity metrics) plus the project's counters, emitted through the SDK's meter:
 *   cuwo_provider_steps_total{provider, activity, status}  every provider answer: money moved, declined, pending
 *   cuwo_outcomes_total{cuwo, outcome, failure_reason}      how CUWOs and requests end
 *   cuwo_compensations_started_total{cuwo, compensation}   CancelPayment / CancelPayout started
 *   cuwo_reconciliations_needed_total{cuwo}                a person must reconcile
 */
import pino from 'pino';
import type { LogLevel } from '@temporalio/common';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';

export const logger = pino({
  base: { service: process.env.CUWO_SERVICE_NAME ?? 'cuwo-worker' },
  level: process.env.CUWO_LOG_LEVEL ?? 'info',
  // Defence in depth: secrets should never be logged; if one is, it is by one of these keys.
  redact: {
    paths: [
      'bearerToken',
      'controlKey',
      'privateKeyPem',
      'authorization',
      'token',
      '*.bearerToken',
      '*.controlKey',
      '*.privateKeyPem',
      '*.authorization',
      '*.token',
    ],
    censor: '[redacted]',
  },
});

const PINO_LEVEL: Record<LogLevel, pino.Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * Installs the Temporal runtime (once per process, before any worker or connection): SDK, workflow
 * and activity logs through pino, and Prometheus metrics on `metricsAddress` (host:port) when given.
 */
export function installRuntime(options: { metricsAddress?: string; logLevel?: LogLevel } = {}): void {
  const level = options.logLevel ?? (process.env.CUWO_SDK_LOG_LEVEL as LogLevel | undefined) ?? 'INFO';
  Runtime.install({
    logger: new DefaultLogger(level, (entry: LogEntry) => logger[PINO_LEVEL[entry.level]]({ ...entry.meta }, entry.message)),
    ...(options.metricsAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: options.metricsAddress } } } } : {}),
  });
}

/**
 * Every metric the project emits, defined once: workflows and activities count through the SDK's
 * meter (`count`), the callback receiver through prom-client, with these names and descriptions.
 * The Temporal SDK adds its own worker, task and activity metrics on the same Prometheus endpoint.
 */
import type { MetricMeter, MetricTags } from '@temporalio/common';

export interface MetricDefinition {
  name: string;
  unit: string;
  description: string;
}

export const METRICS = {
  /** Every provider answer, labelled {provider, activity, status}. */
  providerSteps: { name: 'cuwo_provider_steps_total', unit: 'steps', description: 'provider answers by provider, activity and status' },
  /** A CUWO keeps asking because the provider outcome cannot be read yet: {cuwo, provider}. */
  outcomeUnknown: {
    name: 'cuwo_outcome_unknown_total',
    unit: 'steps',
    description: 'provider outcomes not known yet (the CUWO keeps asking)',
  },
  /** CancelPayment / CancelPayout started or found started: {cuwo, compensation, result}. */
  compensationsStarted: { name: 'cuwo_compensations_started_total', unit: 'workflows', description: 'compensations started' },
  /** How CUWOs and requests end: {cuwo, outcome, failure_reason}. */
  outcomes: { name: 'cuwo_outcomes_total', unit: 'executions', description: 'how CUWOs and requests end' },
  /** A person must reconcile a money movement: {cuwo}. */
  reconciliationsNeeded: {
    name: 'cuwo_reconciliations_needed_total',
    unit: 'executions',
    description: 'money movements a person must reconcile',
  },
  /** Processing data the orchestrator did not receive (its signal failed three times): {provider}. */
  orchestratorNotifyFailures: {
    name: 'cuwo_orchestrator_notify_failures_total',
    unit: 'signals',
    description: 'processing data the orchestrator did not receive',
  },
  /** Provider callbacks at the receiver: {account, result}. */
  callbacks: { name: 'cuwo_callbacks_total', unit: 'callbacks', description: 'provider callbacks by account and result' },
  /** Verified provider events recorded by a ProviderEvents workflow: {provider, type, verdict}. */
  providerEvents: { name: 'cuwo_provider_events_total', unit: 'events', description: 'provider events recorded, by verdict' },
  /** What the reconciler decided per request: {provider, action}. */
  reconcileFindings: { name: 'cuwo_reconcile_findings_total', unit: 'findings', description: 'reconciler findings by action' },
} as const satisfies Record<string, MetricDefinition>;

/** Adds `value` to the counter `metric` on `meter` (the workflow's or the activity's). */
export function count(meter: MetricMeter, metric: MetricDefinition, tags: MetricTags, value = 1): void {
  meter.createCounter(metric.name, metric.unit, metric.description).add(value, tags);
}

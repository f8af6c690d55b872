/**
 * The project's custom search attributes: one list, set by the workflows, registered by the dev
 * server, the cluster and the worker's startup check, and searched by the CLI and the Web UI.
 * No personal data here: search attributes are never encrypted.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CuwoRequestId = defineSearchAttributeKey('CuwoRequestId', SearchAttributeType.KEYWORD);
export const CuwoType = defineSearchAttributeKey('CuwoType', SearchAttributeType.KEYWORD);
export const CuwoProvider = defineSearchAttributeKey('CuwoProvider', SearchAttributeType.KEYWORD);
/** SUCCESS | FAILURE | CANCELED */
export const CuwoOutcome = defineSearchAttributeKey('CuwoOutcome', SearchAttributeType.KEYWORD);
export const CuwoFailureReason = defineSearchAttributeKey('CuwoFailureReason', SearchAttributeType.KEYWORD);
/** True when a compensation could not undo a money movement: a person must reconcile. */
export const CuwoNeedsReconciliation = defineSearchAttributeKey('CuwoNeedsReconciliation', SearchAttributeType.BOOL);

export const ALL_SEARCH_ATTRIBUTES = [CuwoRequestId, CuwoType, CuwoProvider, CuwoOutcome, CuwoFailureReason, CuwoNeedsReconciliation];

/**
 * The project's custom search attributes: one list, used by the workflows, the dev-server launcher
 * (registration) and the docs. No personal data here: search attributes are never encrypted.
 * On a real cluster create them once: `temporal operator search-attribute create --name X --type T`.
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

const CLI_TYPE: Record<string, string> = {
  KEYWORD: 'Keyword',
  BOOL: 'Bool',
  TEXT: 'Text',
  INT: 'Int',
  DOUBLE: 'Double',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** `Name=Type` flags as `temporal server start-dev --search-attribute` expects them. */
export function searchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE[key.type]}`]);
}

/** The command that registers one attribute on a real cluster. */
export function createSearchAttributeCommand(key: (typeof ALL_SEARCH_ATTRIBUTES)[number], namespace: string): string {
  return `temporal operator search-attribute create --namespace ${namespace} --name ${key.name} --type ${CLI_TYPE[key.type]}`;
}

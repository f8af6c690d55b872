/**
 * Operator tooling for the project's search attributes (defined in src/contracts/search-attributes.ts):
 * the dev server's flags and the command that creates one on a real cluster.
 */
import { ALL_SEARCH_ATTRIBUTES } from './contracts/search-attributes';

export * from './contracts/search-attributes';

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

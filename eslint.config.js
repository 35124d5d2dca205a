// One linter for the whole repository; Prettier owns formatting.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

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
            { group: ['**/engine/**', '**/cli/**', '**/worker/**'], message: 'common/ imports only common/' },
          ],
        },
      ],
    },
  },
);

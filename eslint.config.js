// One linter for the whole repository; Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', 'test-results/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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

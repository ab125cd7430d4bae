import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const electronOnly = {
  paths: [{ name: 'electron', message: 'Only main/electron/ and preload/ may import electron: the core must run under plain Node.' }],
  patterns: [{ group: ['electron/*'], message: 'Only main/electron/ and preload/ may import electron.' }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', electronOnly],
    },
  },
  { files: ['main/electron/**', 'preload/**', 'test/electron/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          ...electronOnly,
          patterns: [...electronOnly.patterns, { group: ['**/main/**'], message: 'The renderer talks to the core only through the client (shared/contract).' }],
        },
      ],
    },
  },
);

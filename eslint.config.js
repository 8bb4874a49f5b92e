// Lint configuration: typescript-eslint's recommended rules over the TypeScript sources.
// test/programs and test/verifier/realistic hold .bpf.ts inputs (some unused imports and odd
// code on purpose; counters only the loader reads, which look unused): the checker and the tsc
// test cover them.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/**",
      "node_modules/**",
      "grammar/**",
      "test/**/fixtures/**",
      "lang/*.js",
      "test/programs/**",
      "test/verifier/realistic/**",
    ],
  },
  // Node scripts written in plain JavaScript.
  {
    files: ["**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);

import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "data/", "node_modules/", "migrations/", "coverage/", "test-results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["error", "warn"] }],
      // Cookies are written in one place (server/http/cookies.ts): a Set-Cookie put through hono
      // there would replace the ones written onto Node's response.
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "hono/cookie", importNames: ["setCookie", "deleteCookie", "setSignedCookie"], message: "Use writeCookie/clearCookie from server/http/cookies.ts." }] },
      ],
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name=/^(header|append|set)$/][arguments.0.value=/^set-cookie$/i]", message: "Use writeCookie/clearCookie from server/http/cookies.ts." },
      ],
    },
  },
  {
    files: ["server/http/cookies.ts", "**/*.test.ts", "**/*.test.tsx", "e2e/**", "server/test/**"],
    rules: { "no-restricted-imports": "off", "no-restricted-syntax": "off" },
  },
  {
    files: ["scripts/**", "bench/**", "server/cli/**", ".ci/**"],
    rules: { "no-console": "off" },
  },
  {
    files: ["scripts/**/*.mjs", "bench/**/*.mjs", "bench/**/*.cjs", "*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly" } },
  },
  {
    files: ["views/static/**/*.js"],
    languageOptions: { globals: { document: "readonly", window: "readonly", htmx: "readonly", navigator: "readonly", location: "readonly", URL: "readonly" } },
  },
);

import { describe, expect, it } from "vitest";
import { createTestApp, setupOwner } from "../test/harness.js";
import { apiDocsText, isShape, jaResponses, jaSummaries, jaTags } from "../i18n/api-docs.js";
import { operations } from "./openapi.js";
import { errorCodes, statusesOf } from "../errors.js";

const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
const key = (o: { method: string; path: string }) => `${o.method} ${o.path}`;
const SETUP_LINK = "post /api/v1/admin/users/{id}/setup-link";

describe("the API reference page in Japanese", () => {
  const t = createTestApp();

  it("has a Japanese summary for every operation, so a new operation without one fails here", () => {
    expect(operations.filter((o) => !japanese.test(jaSummaries[key(o)] ?? "")).map(key)).toEqual([]);
    // and none left over for an operation that is gone or renamed
    const documented = new Set(operations.map(key));
    expect(Object.keys(jaSummaries).filter((k) => !documented.has(k))).toEqual([]);
  });

  it("has Japanese for every section, who may call, and success description that is more than a JSON shape", () => {
    expect([...new Set(operations.map((o) => o.tag))].filter((tag) => !japanese.test(jaTags[tag] ?? ""))).toEqual([]);
    expect([...new Set(operations.map((o) => o.auth))].filter((a) => !japanese.test(apiDocsText.ja.auth[a] ?? ""))).toEqual([]);
    expect([...new Set(operations.map((o) => o.ok[1]))].filter((d) => !isShape(d) && !japanese.test(jaResponses[d] ?? ""))).toEqual([]);
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const field of ["intro", "needs", "paramIn"] as const) expect(placeholders(apiDocsText.ja[field]), field).toEqual(placeholders(apiDocsText.en[field]));
  });

  it("answers in Japanese with the roster_lang cookie or Accept-Language, as every page does, and in English by default", async () => {
    for (const headers of [{ cookie: "roster_lang=ja" }, { "accept-language": "ja,en;q=0.5" }] as Record<string, string>[]) {
      const r = await t.request("/api/docs", { headers });
      expect(r.status).toBe(200);
      const html = await r.text();
      expect(html).toContain('<html lang="ja">');
      expect(html).toContain(jaSummaries[SETUP_LINK]);
      expect(html).toContain("パラメーター：");
      expect(html).toContain('<a href="#admin-users">管理：ユーザー</a>');
    }
    for (const headers of [{}, { cookie: "roster_lang=en", "accept-language": "ja" }] as Record<string, string>[]) {
      const html = await (await t.request("/api/docs", { headers })).text();
      expect(html).toContain('<html lang="en">');
      expect(html).toContain(operations.find((o) => key(o) === SETUP_LINK)?.summary);
      expect(html).toContain("Version ");
      expect(html).not.toMatch(japanese);
    }
  });

  it("follows a logged-in account's language when the device chose none, and tells caches the answer varies", async () => {
    const owner = await setupOwner(t);
    expect((await t.request("/api/v1/me", { method: "PATCH", json: { language: "ja" }, token: owner.token })).status).toBe(200);
    const r = await t.request("/api/docs", { cookie: `roster_session=${owner.token}` });
    expect(await r.text()).toContain('<html lang="ja">');
    expect(r.headers.get("vary")).toMatch(/Cookie.*Accept-Language/);
  });

  it("keeps /api/openapi.json English whatever the viewer's language", async () => {
    const en = await (await t.request("/api/openapi.json")).text();
    const ja = await (await t.request("/api/openapi.json", { headers: { cookie: "roster_lang=ja", "accept-language": "ja" } })).text();
    expect(ja).toBe(en);
    expect(ja).not.toMatch(japanese);
  });

  it("escapes the server name an owner typed, in both languages (regression: the title is user input)", async () => {
    const w = createTestApp();
    const owner = await setupOwner(w);
    const serverName = `<script>alert(1)</script>"><img src=x onerror=alert(1)>`;
    expect((await w.request("/api/v1/admin/settings", { method: "PATCH", json: { serverName }, token: owner.token })).status).toBe(200);
    for (const lang of ["en", "ja"]) {
      const html = await (await w.request("/api/docs", { cookie: `roster_lang=${lang}` })).text();
      expect(html).toContain(`<html lang="${lang}">`);
      expect(html).not.toMatch(/<script|<img/i);
      expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt; JSON API");
    }
  });

  it("makes a problem's type a link that opens its code's line on the page, in the reader's language", async () => {
    const w = createTestApp();
    // A real problem, and the link in it
    const problem = (await (await w.request("/api/v1/me")).json()) as { type: string; code: string };
    expect(problem.code).toBe("unauthenticated");
    const r = await w.request(problem.type);
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/api/docs#problem-unauthenticated");

    for (const [lang, heading] of [["en", "Errors"], ["ja", "エラー"]] as const) {
      const html = await (await w.request("/api/docs", { cookie: `roster_lang=${lang}` })).text();
      expect(html).toContain(`<a href="#errors">${heading}</a>`);
      // What the listener answers with validation_failed before the app sees a request is listed too.
      expect(html).toContain('<tr id="problem-validation_failed"><th scope="row"><code>validation_failed</code></th><td>400, 408, 417, 431</td>');
      for (const code of Object.keys(errorCodes)) {
        const row = new RegExp(`<tr id="problem-${code}"><th scope="row"><code>${code}</code></th><td>([\\d, ]+)</td><td>([^<]+)</td></tr>`).exec(html);
        expect(row, `${lang} ${code}`).not.toBeNull();
        expect(row![1]!.split(", ").map(Number)).toEqual(statusesOf(code as keyof typeof errorCodes));
        // Its meaning in words, not the message key
        expect(row![2]).not.toContain("error.");
        if (lang === "ja") expect(row![2]).toMatch(japanese);
      }
    }
  });

  it("answers 404 problem+json for a type that is no code", async () => {
    const w = createTestApp();
    for (const path of ["/api/problems/no_such_code", "/api/problems/constructor", "/api/problems/__proto__", "/api/problems/%E0%A4%A"]) {
      const r = await w.request(path);
      expect(r.status, path).toBe(404);
      expect(r.headers.get("content-type"), path).toContain("application/problem+json");
    }
  });
});

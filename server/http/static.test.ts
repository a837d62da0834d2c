import { describe, expect, it } from "vitest";
import { createTestApp } from "../test/harness.js";
import { assetUrl } from "./static.js";

/**
 * Revalidation of scripts and styles (RFC 9110 §13.1.2, §15.4.5): a browser
 * or a proxy that holds an asset asks with If-None-Match and gets a 304 that
 * keeps its copy fresh, whatever form its validator takes.
 */
const t = createTestApp();
const get = (url: string, ifNoneMatch?: string) => t.app.request(url, ifNoneMatch === undefined ? {} : { headers: { "if-none-match": ifNoneMatch } });

describe("static assets", () => {
  it("serve the file with a strong ETag and a year's caching under a versioned URL", async () => {
    const r = await get(assetUrl("app.css"));
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(r.headers.get("etag")).toMatch(/^"[\w-]{16}"$/);
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await r.text()).length).toBeGreaterThan(0);
  });

  describe.each([
    ["versioned", assetUrl("app.js"), "public, max-age=31536000, immutable"],
    ["unversioned", "/static/app.js", "public, max-age=300"],
  ])("a %s URL revalidated", (_, url, cacheControl) => {
    it.each<[string, (etag: string) => string]>([
      ["the exact ETag", (e) => e],
      ["the ETag marked weak (a proxy that compressed it does that)", (e) => `W/${e}`],
      ["a list that holds it", (e) => `"an-older-one", ${e}`],
      ["a list that holds it weak, with odd spacing", (e) => `W/"x",W/${e} ,"y"`],
      ["*", () => "*"],
    ])("with %s gets a 304 carrying the ETag and Cache-Control the 200 has", async (_, header) => {
      const etag = (await get(url)).headers.get("etag")!;
      const r = await get(url, header(etag));
      expect(r.status).toBe(304);
      expect(r.headers.get("etag")).toBe(etag);
      expect(r.headers.get("cache-control")).toBe(cacheControl);
      expect(await r.text()).toBe("");
    });

    it.each([
      ["another ETag", '"not-this-one"'],
      ["a list without it", '"a", W/"b"'],
      ["the ETag unquoted", "ETAG"],
      ["garbage", ', ,W/, "'],
    ])("with %s gets the full 200", async (_, header) => {
      const etag = (await get(url)).headers.get("etag")!;
      const r = await get(url, header.replace("ETAG", etag.slice(1, -1)));
      expect(r.status).toBe(200);
      expect(r.headers.get("etag")).toBe(etag);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(0);
    });
  });

  it("an unknown asset is a 404, whatever If-None-Match says", async () => {
    expect((await get("/static/nope.js", "*")).status).toBe(404);
  });
});

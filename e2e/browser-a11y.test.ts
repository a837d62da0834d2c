import { describe, expect, it } from "vitest";
import { base, bothSchemes, browser, contexts, ids, logIn, open, startA11yWorld } from "./a11y.js";
import { hasChromium } from "./browser.js";

/** The focus ring of the focused element: its style, and its contrast against the page around it and against the control. */
const RING = `(() => {
  const el = document.activeElement;
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = (s) => {
    const [r = 0, g = 0, b = 0] = rgb(s).map((c) => c / 255);
    const f = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
    return (x + 0.05) / (y + 0.05);
  };
  const opaque = (s) => s !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(s);
  let around = el.parentElement;
  while (around && !opaque(getComputedStyle(around).backgroundColor)) around = around.parentElement;
  const pageBg = around ? getComputedStyle(around).backgroundColor : "rgb(255, 255, 255)";
  const style = getComputedStyle(el);
  const controlBg = opaque(style.backgroundColor) ? style.backgroundColor : pageBg;
  // A band between the ring and the control (a box-shadow) is the side of the indicator that meets the control.
  const halo = (style.boxShadow.match(/rgba?\\([^)]*\\)/) || [])[0];
  const ring = style.outlineColor;
  return {
    style: style.outlineStyle + " " + style.outlineWidth + " " + ring + (halo ? " halo " + halo : ""),
    page: ratio(ring, pageBg),
    control: Math.max(ratio(ring, controlBg), halo && opaque(halo) ? ratio(halo, controlBg) : 0),
  };
})()`;

/** Every main page through axe-core, the focus ring's contrast, and a message's headers on a narrow screen. What these tests guard: e2e/a11y.ts. */
describe.skipIf(!hasChromium)("in a browser: accessibility (axe-core, keyboard, focus, announcements)", () => {
  startA11yWorld();

  const anonymous = ["/login", "/register", "/forgot-password"];
  const signedIn = () => ["/account", "/people", "/admin", "/admin/users", "/admin/users?status=awaiting_approval", `/admin/users/${ids.member}`, "/admin/invitations", "/admin/approvals", "/admin/audit", "/admin/mail", `/admin/mail/${ids.mail}`, "/admin/import", "/admin/settings", "/admin/organizations", "/admin/api-keys", "/api/docs"];

  it("has no serious or critical axe violation on the main pages, in English and Japanese, light and dark", { timeout: 60_000 }, async () => {
    const found: string[] = [];
    // The two languages side by side: each its own context, logged in as the owner after the anonymous pages.
    await Promise.all(
      (["en", "ja"] as const).map(async (lang) => {
        const { context, page } = await open(browser, base, lang);
        contexts.push(context);
        const check = async (p: string) => {
          await page.goto(`${base}${p}`);
          for (const v of await bothSchemes(page)) found.push(`${lang} ${p}: ${v}`);
        };
        for (const p of anonymous) await check(p);
        await logIn(page, base, "owner");
        for (const p of signedIn()) await check(p);
      }),
    );
    expect(found.join("\n")).toBe("");
  });

  it("draws a focus ring of 3:1 or more against the page and the control, light and dark", async () => {
    const { context, page } = await open(browser, base, "en");
    contexts.push(context);
    await page.goto(`${base}/login`);
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const selector of ['input[name="login"]', 'main button[type="submit"]', 'a[href="/forgot-password"]']) {
        await page.locator(selector).focus();
        // Focused by script after a key press: the browser shows the ring as for the keyboard.
        await page.keyboard.press("Shift");
        const ring = await page.evaluate<{ style: string; page: number; control: number }>(RING);
        expect(ring.style, `${colorScheme} ${selector}`).toMatch(/^solid [23]/);
        expect(ring.page, `${colorScheme} ${selector}: ring against the page (${ring.style})`).toBeGreaterThanOrEqual(3);
        expect(ring.control, `${colorScheme} ${selector}: ring against the control (${ring.style})`).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it("shows a message's headers without sideways scrolling at 320 px", async () => {
    const { context, page } = await open(browser, base, "en");
    contexts.push(context);
    await logIn(page, base, "owner");
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(`${base}/admin/mail/${ids.mail}`);
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../openapi.js";
import { accountSteps } from "./responses-account-steps.js";
import { adminSteps } from "./responses-admin-steps.js";
import { key, seen, startServer, stopServer } from "./responses-check.js";

/**
 * The JSON API answers what /api/openapi.json says it answers. Every operation
 * is called on a real server (a database file, a mail worker delivering to an
 * SMTP server) and each body is checked against the schema the served document
 * gives for its status, and against the zod schema that schema is generated
 * from. A field a presenter adds or drops, or a type it changes, fails here
 * with the field's path; so does an operation this file never calls.
 *
 * The steps run in order on one server, each using what the ones before made;
 * they are written in responses-account-steps.ts and responses-admin-steps.ts.
 */
beforeAll(startServer);
afterAll(stopServer);

describe("every answer of the JSON API is what /api/openapi.json says", () => {
  accountSteps();
  adminSteps();

  it("has called every operation in `operations`, with each success answer the document gives it", () => {
    const missing = operations.flatMap((o) => [o.ok, ...(o.also ?? [])].filter(([status]) => !seen.get(key(o))?.has(status)).map(([status]) => `${key(o)} → ${status}`));
    expect(missing, "operations (and success answers) this file never exercised").toEqual([]);
  });
});

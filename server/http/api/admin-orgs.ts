import { Hono } from "hono";
import { createOrganizationAsOwner, listOrganizations, updateOrganization } from "../../organizations/manage.js";
import { listInvitations, resendInvitation, revokeInvitation, sendInvitations } from "../../organizations/invitations.js";
import { AppError } from "../../errors.js";
import { pageOfAll } from "../../pagination.js";
import type { AppEnv } from "../context.js";
import { caller } from "./admin-users.js";
import { englishFields, readJson } from "./respond.js";

/** /api/v1/admin/organizations and /api/v1/admin/invitations (registration requests). */
export const adminOrgsApi = new Hono<AppEnv>()
  .get("/organizations", (c) => c.json(pageOfAll(listOrganizations(c.get("deps"), caller(c)), c.req.query())))
  .post("/organizations", async (c) => c.json(createOrganizationAsOwner(c.get("deps"), caller(c), await readJson(c), c.get("meta")), 201))
  .patch("/organizations/:id", async (c) => c.json(updateOrganization(c.get("deps"), caller(c), c.req.param("id"), await readJson(c), c.get("meta"))))
  .get("/invitations", (c) => c.json(listInvitations(c.get("deps"), caller(c), c.req.query())))
  .post("/invitations", async (c) => {
    const r = sendInvitations(c.get("deps"), caller(c), await readJson(c), c.get("meta"));
    // One address: answer like a create (201 or the refusal); many: per-address results.
    if (r.results.length === 1) {
      const only = r.results[0]!;
      if (only.status === "sent") return c.json(only.invitation, 201);
      throw new AppError(only.code ?? "validation_failed", only.fields);
    }
    return c.json({ results: r.results.map(({ fields, ...x }) => (fields ? { ...x, errors: englishFields(fields) } : x)) });
  })
  .delete("/invitations/:id", (c) => {
    revokeInvitation(c.get("deps"), caller(c), c.req.param("id"), c.get("meta"));
    return c.body(null, 204);
  })
  .post("/invitations/:id/resend", (c) => c.json(resendInvitation(c.get("deps"), caller(c), c.req.param("id"), c.get("meta"))));

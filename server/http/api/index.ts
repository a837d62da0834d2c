import { Hono } from "hono";
import { getSettings } from "../../admin/settings.js";
import { AppError } from "../../errors.js";
import type { AppEnv } from "../context.js";
import { authApi } from "./auth.js";
import { directoryApi } from "./directory.js";
import { meApi } from "./me.js";
import { adminUsersApi } from "./admin-users.js";
import { adminMiscApi } from "./admin-misc.js";
import { introspectApi } from "./introspect.js";
import { adminOrgsApi } from "./admin-orgs.js";
import { invitationsApi } from "./invitations.js";
import { setupApi } from "./setup.js";
import { adminMailApi } from "./admin-mail.js";

export const VERSION = "0.1.0";

/** The JSON API, /api/v1 (SPEC §4). */
export const api = new Hono<AppEnv>()
  .get("/server", (c) => {
    const s = getSettings(c.get("deps"));
    return c.json({ name: s.serverName, version: VERSION, registration: s.registration, verificationRequired: s.verificationRequired });
  })
  .route("/auth/setup", setupApi)
  .route("/auth", authApi)
  .route("/me", meApi)
  .route("/", directoryApi)
  .route("/introspect", introspectApi)
  .route("/admin/users", adminUsersApi)
  .route("/admin/mail", adminMailApi)
  .route("/admin", adminMiscApi)
  .route("/admin", adminOrgsApi)
  .route("/invitations", invitationsApi)
  .all("*", () => {
    throw new AppError("not_found");
  });

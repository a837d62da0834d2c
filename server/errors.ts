/**
 * The one list of error codes (SPEC §4). Every failure a client can see is an
 * AppError with one of these codes; `app.onError` turns it into problem+json
 * for the API and the form-with-messages (or an error page) for browsers.
 */
export const errorCodes = {
  validation_failed: { status: 400, title: "The request is not valid." },
  weak_password: { status: 400, title: "The password is too weak." },
  invalid_token: { status: 400, title: "The token or code is not valid." },
  unauthenticated: { status: 401, title: "You need to log in." },
  invalid_credentials: { status: 401, title: "The login or password is wrong." },
  forbidden: { status: 403, title: "You may not do this." },
  email_not_verified: { status: 403, title: "The email address is not confirmed yet." },
  account_disabled: { status: 403, title: "The account is disabled." },
  awaiting_approval: { status: 403, title: "The account waits for an administrator's approval." },
  registration_closed: { status: 403, title: "Registration is closed on this server." },
  domain_not_allowed: { status: 403, title: "Registration is open only to some email domains." },
  invitation_required: { status: 403, title: "Registration needs an invitation." },
  deletion_locked: { status: 403, title: "Deletion is locked on this server." },
  not_found: { status: 404, title: "Not found." },
  email_taken: { status: 409, title: "The email address is already in use." },
  user_id_taken: { status: 409, title: "The user ID is already taken." },
  admin_limit_reached: { status: 409, title: "The organization has reached its administrator limit." },
  last_admin: { status: 409, title: "The organization's last active administrator cannot be removed." },
  managed_by_other_organization: { status: 409, title: "The account is managed by another organization." },
  pending_limit_reached: { status: 409, title: "Too many registration requests are pending." },
  already_member: { status: 409, title: "The account is already a member." },
  invitation_pending: { status: 409, title: "A registration request is already pending for this address." },
  token_expired: { status: 410, title: "The link or code has expired." },
  payload_too_large: { status: 413, title: "The request body is too large." },
  unsupported_media_type: { status: 415, title: "The request body must be JSON." },
  rate_limited: { status: 429, title: "Too many attempts. Try again later." },
  internal_error: { status: 500, title: "Something went wrong on the server." },
  service_unavailable: { status: 503, title: "The server cannot store data right now. Try again in a minute." },
} as const;

export type ErrorCode = keyof typeof errorCodes;

/**
 * Statuses a code is also sent with: what the listener answers before the app sees a request
 * (server/http/listener.ts: a timeout 408, an expectation 417, headers too large 431), for which
 * SPEC §4 has no code of its own. The API reference lists them beside the code's own status.
 */
export const alsoSentWith = { validation_failed: [408, 417, 431] } as const satisfies Partial<Record<ErrorCode, readonly number[]>>;

/** Every status a code is sent with, its own first. */
export const statusesOf = (code: ErrorCode): number[] => [errorCodes[code].status, ...((alsoSentWith as Partial<Record<ErrorCode, readonly number[]>>)[code] ?? [])];

/** Field name → i18n message key (see server/i18n). */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly fields?: FieldErrors,
    /** Seconds, for `rate_limited` and `service_unavailable` (sent as Retry-After). */
    readonly retryAfter?: number,
    detail?: string,
  ) {
    super(detail ?? errorCodes[code].title);
    this.name = "AppError";
    this.status = errorCodes[code].status;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/**
 * SQLite's answers that say the database cannot be written (or read) right
 * now, not that the request is wrong: the data volume is full, read-only or
 * failing, or another process held the write lock past the busy timeout.
 * Nothing was changed (the transaction rolled back), and the same request
 * succeeds once the sysadmin has made room: a 503 with Retry-After, and a
 * form shown again with what was typed, not an error page.
 */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|NOLFS)(_|$)/;

/** How long a client is asked to wait when storage fails. */
export const STORAGE_RETRY_SECONDS = 30;

/** The `code` of a Node or SQLite error ("ENOSPC", "SQLITE_FULL"); "" for anything else. */
export const errorCode = (e: unknown): string => {
  const code = e instanceof Error ? (e as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : "";
};

/** The error a client sees for a storage failure, or null when `e` is something else. */
export function storageFailure(e: unknown): AppError | null {
  if (!STORAGE_CODES.test(errorCode(e))) return null;
  return new AppError("service_unavailable", undefined, STORAGE_RETRY_SECONDS);
}

/**
 * Runs a write that a read may make on the way but can do without (extending
 * a session, noting an API key's use): false when storage failed, so a token
 * check still answers on a full data volume. Any other error is thrown on.
 */
export function unlessStorageFails(write: () => unknown): boolean {
  try {
    write();
    return true;
  } catch (e) {
    if (storageFailure(e)) return false;
    throw e;
  }
}

import { z } from "zod";
import { errorCodes, type ErrorCode } from "../errors.js";

/**
 * The registry the response schemas are named in, the helpers that name and
 * describe them, and the schemas every area shares (openapi-responses.ts says
 * what they are for).
 */
export const responseSchemas = z.registry<{ id?: string; description?: string }>();

export function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  responseSchemas.add(schema as z.ZodType, description ? { id, description } : { id });
  return schema;
}
export function note<T extends z.ZodType>(description: string, schema: T): T {
  responseSchemas.add(schema as z.ZodType, { description });
  return schema;
}

/** ISO 8601 in UTC with milliseconds, as `Date#toISOString` writes it. */
export const timestamp = () => z.iso.datetime();
export const count = () => z.int().min(0);
export const errorCode = z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]);
export const transport = z.enum(["smtp", "direct", "capture"]);

/** `{items, nextCursor, total}` (SPEC §4) of one item schema. */
export const listOf = <T extends z.ZodType>(id: string, item: T) =>
  named(id, `A page of a list: ?limit= (1–200) items, and nextCursor for ?cursor= (null on the last page).`, z.strictObject({ items: z.array(item), nextCursor: z.string().nullable(), total: count() }));

export const Problem = named(
  "Problem",
  "RFC 9457 problem details (application/problem+json) with a stable code.",
  z.strictObject({ type: z.string(), title: z.string(), status: z.int(), detail: z.string(), code: errorCode, errors: note("Field name → message.", z.record(z.string(), z.string())).optional() }),
);

export const OrganizationRef = named("OrganizationRef", "The organization an account or request belongs to.", z.strictObject({ id: z.string(), name: z.string() }));

import { z } from "zod";
import { responseSchemas } from "./openapi-responses-common.js";

/**
 * What the JSON API answers, as zod schemas: the OpenAPI document's
 * `components.schemas` are generated from them (openapi.ts), and
 * server/http/api/responses.test.ts checks every answer of a real server
 * against them. Objects are strict: a field a presenter adds without
 * documenting it in its schema fails that test instead of reaching clients
 * unannounced.
 * Each schema with an `id` becomes a component of that name.
 *
 * The schemas are written by area (openapi-responses-accounts.ts, -admin.ts,
 * -audit-mail.ts, and -common.ts for the registry and what they share), and
 * imported from here: the order of the exports below is the order they are
 * registered in, and so the order of the document's components.
 */
export { listOf, OrganizationRef, Problem, responseSchemas } from "./openapi-responses-common.js";
export * from "./openapi-responses-accounts.js";
export * from "./openapi-responses-admin.js";
export * from "./openapi-responses-audit-mail.js";

/** The component name of a registered response schema. */
export const componentName = (schema: z.ZodType): string => {
  const id = responseSchemas.get(schema)?.id;
  if (!id) throw new Error("A response schema must be one of openapi-responses.ts's named schemas.");
  return id;
};

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * The JSON Schema of every named response schema, by name, with $refs to
 * `#/components/schemas/…` (OpenAPI 3.1 Schema Objects: no $schema or $id).
 */
export function responseComponents(): Record<string, Record<string, unknown>> {
  const { schemas } = z.toJSONSchema(responseSchemas, {
    metadata: responseSchemas,
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: "throw",
    override: ({ jsonSchema: s }) => {
      // zod's timestamp regex repeats what `format` says; integers need no ±2^53 bounds.
      if (s.format === "date-time" || s.format === "date") delete s.pattern;
      if (s.maximum === SAFE) delete s.maximum;
      if (s.minimum === -SAFE) delete s.minimum;
    },
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([name, s]) => {
      const { $schema: _schema, $id: _id, ...rest } = s as Record<string, unknown>;
      return [name, rest];
    }),
  );
}

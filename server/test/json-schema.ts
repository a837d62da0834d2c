import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export type Schema = Record<string, unknown>;

/**
 * Checks values against the OpenAPI document's response schemas (JSON Schema
 * 2020-12, OpenAPI 3.1's dialect) with ajv. Strict: a keyword or format ajv
 * does not know is an error, so a schema it cannot check fully never passes.
 * `$ref`s are the document's `#/components/schemas/…` pointers.
 */
export function schemaChecker(document: Schema): (schema: Schema, value: unknown) => string[] {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: true });
  addFormats.default(ajv);
  // The document's components as one schema of definitions, its `#/components/schemas/…` pointers kept.
  const components = ((document.components as Schema | undefined)?.schemas ?? {}) as Schema;
  const definitions = JSON.parse(JSON.stringify(components).replaceAll('"#/components/schemas/', '"openapi#/$defs/')) as Schema;
  ajv.addSchema({ $id: "openapi", $defs: definitions });
  const pointer = (ref: string) => ref.replace(/^#\/components\/schemas\//, "openapi#/$defs/");
  return (schema, value) => {
    const check = ajv.compile(typeof schema.$ref === "string" ? { $ref: pointer(schema.$ref) } : schema);
    if (check(value)) return [];
    return (check.errors ?? []).map((e) => {
      const where = `$${e.instancePath.replaceAll("/", ".")}`;
      if (e.keyword === "additionalProperties") return `${where}: the field "${String(e.params.additionalProperty)}" is not in the document`;
      if (e.keyword === "required") return `${where}: the required field "${String(e.params.missingProperty)}" is missing`;
      return `${where}: ${e.message ?? e.keyword} (${JSON.stringify(e.params)})`;
    });
  };
}

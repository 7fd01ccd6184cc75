// fast-check arbitraries for property tests: values a JSON Schema (as the OpenAPI document states
// it, generated from the contract) accepts, and hostile values no schema should let through.
import fc from "fast-check";
import type { OpenAPIV3_1 } from "openapi-types";

type Schema = OpenAPIV3_1.SchemaObject;

/** Strings a careless server chokes on: NUL, control and bidi characters, SQL, huge, unpaired surrogates. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\t\r\n",
    "\u202Eevil",
    "\ud800",
    "'; DROP TABLE tasks; --",
    "%00",
    "$1",
    "\\",
    "null",
    "😀".repeat(300),
    "x".repeat(6000),
  ),
  fc.string({ unit: "binary", maxLength: 50 }),
);

/** Any JSON value, including ones nested deeper than the API accepts. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  hostileString,
  fc.integer({ min: 1, max: 3000 }).map((depth) => {
    let value: unknown = 1;
    for (let level = 0; level < depth; level++) value = { a: value };
    return value;
  }),
  fc.constantFrom(1e308, -1, 0, 1.5, Number.MAX_SAFE_INTEGER, [], {}, [[]], null, true),
);

/**
 * Values `schema` accepts (mostly), built from its `type`, `enum`, `const`, `format`, bounds,
 * `properties`/`required` and `items`. Strings stay short; `pattern` is not followed, so a value
 * may still break one (the API then answers 422, which is what a property test checks anyway).
 */
export function fromSchema(schema: Schema | undefined): fc.Arbitrary<unknown> {
  if (!schema) return fc.jsonValue({ maxDepth: 2 });
  if ("const" in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const options = schema.anyOf ?? schema.oneOf;
  if (options) return fc.oneof(...options.map((option) => fromSchema(option as Schema)));
  const type = schema.type;
  if (Array.isArray(type))
    return fc.oneof(...type.map((one) => fromSchema({ ...schema, type: one } as Schema)));
  switch (type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
    case "number":
      return fc.integer({
        min: Math.max(schema.minimum ?? -1000, -1e9),
        max: Math.min(schema.maximum ?? 1000, 1e9),
      });
    case "string":
      return stringFor(schema);
    case "array": {
      const items = fromSchema(schema.items);
      return fc.array(items, {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    }
    case "object": {
      const properties = Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([name, property]) => [
          name,
          fromSchema(property as Schema),
        ]),
      );
      return fc.record(properties, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === "email") return fc.emailAddress().filter((email) => email.length <= 254);
  if (schema.format === "date")
    return fc
      .date({ min: new Date("1900-01-01"), max: new Date("2200-12-31"), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
  const minLength = schema.minLength ?? 0;
  return fc.string({
    minLength,
    maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 30, 30)),
  });
}

/** Either a valid value (three times in four) or a hostile one. */
export function validOrHostile(schema: Schema | undefined): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: fromSchema(schema) },
    { weight: 1, arbitrary: hostileJson },
  );
}

/**
 * An object for `schema` with, now and then, one member replaced by a hostile value, one unknown
 * member added, or the whole value replaced by hostile JSON.
 */
export function bodyFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const valid = fromSchema(schema);
  return fc.oneof(
    { weight: 4, arbitrary: valid },
    {
      weight: 2,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...Object.keys(schema?.properties ?? { x: 1 })), hostileJson)
        .map(([value, key, hostile]) =>
          value && typeof value === "object" ? { ...value, [key]: hostile } : value,
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.constantFrom("id", "userId", "version", "__proto__", "x"), hostileJson)
        .map(([value, key, hostile]) =>
          value && typeof value === "object" ? { ...value, [key]: hostile } : value,
        ),
    },
    { weight: 1, arbitrary: hostileJson },
  );
}

// The migrated schema against its Citus layout (distribution.ts): every table placed, and every
// primary key, unique key and foreign key either co-located with the user (it includes the
// table's distribution column) or listed with its treatment. Reads the catalog, so PostgreSQL and
// PGlite alike.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DISTRIBUTION } from "./distribution.js";
import { createTestDatabase, type TestDatabase } from "./testing.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

/** A primary key, unique key (constraint or unique index) or foreign key of the schema. */
interface Key {
  readonly table: string;
  readonly kind: "PRIMARY KEY" | "UNIQUE" | "FOREIGN KEY";
  readonly columns: string[];
  readonly references: string | null;
  readonly referenced: string[] | null;
}

const KEYS = `
  WITH constraints AS (
    SELECT c.conrelid::regclass::text AS "table",
           CASE c.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' ELSE 'FOREIGN KEY' END AS kind,
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, position)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
                 ORDER BY k.position) AS columns,
           c.confrelid::regclass::text AS "references",
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, position)
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
                 ORDER BY k.position) AS referenced,
           c.conindid
      FROM pg_constraint c
      JOIN pg_namespace n ON n.oid = c.connamespace
     WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')
  )
  SELECT "table", kind, columns,
         CASE kind WHEN 'FOREIGN KEY' THEN "references" END AS "references",
         CASE kind WHEN 'FOREIGN KEY' THEN referenced END AS referenced
    FROM constraints
  UNION ALL
  -- Unique indexes that back no constraint (partial or on expressions): their key columns or expressions.
  SELECT i.indrelid::regclass::text, 'UNIQUE',
         ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                 FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k),
         NULL, NULL
    FROM pg_index i
    JOIN pg_class ix ON ix.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = ix.relnamespace
   WHERE n.nspname = current_schema() AND i.indisunique
     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))`;

/** How the schema test names a key, as {@link DISTRIBUTION}'s exceptions are written. */
function describeKey(key: Key): string {
  const own = `${key.table} ${key.kind} (${key.columns.join(", ")})`;
  return key.references === null
    ? own
    : `${own} REFERENCES ${key.references} (${key.referenced!.join(", ")})`;
}

/**
 * True when Citus enforces `key` as it is: on a table local to the coordinator, or one that
 * includes the distribution column (for a foreign key, joining both tables' distribution columns).
 */
function enforced(key: Key): boolean {
  if (key.table in DISTRIBUTION.local) return true;
  const column = DISTRIBUTION.distributed[key.table];
  if (column === undefined || !key.columns.includes(column)) return false;
  if (key.references === null) return true;
  // A foreign key: the referencing distribution column must point at the referenced one.
  const target = DISTRIBUTION.distributed[key.references];
  return target !== undefined && key.referenced![key.columns.indexOf(column)] === target;
}

describe("the schema on Citus (user_id as distribution column)", () => {
  it("places every table: distributed by its user, a reference table, or local to the coordinator", async () => {
    const tables = await db.sql<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const placed = new Set([
      ...Object.keys(DISTRIBUTION.distributed),
      ...Object.keys(DISTRIBUTION.reference),
      ...Object.keys(DISTRIBUTION.local),
    ]);
    expect(tables.map((table) => table.name).filter((name) => !placed.has(name))).toEqual([]);
  });

  it("has no primary, unique or foreign key that neither includes user_id nor is listed with its treatment", async () => {
    const keys = await db.sql<Key>(KEYS);
    const named = keys.map((key) => ({ key, name: describeKey(key) }));
    const unlisted = named
      .filter(({ key, name }) => !enforced(key) && !(name in DISTRIBUTION.exceptions))
      .map(({ name }) => name);
    // Every key is listed (the test's output is the inventory); the check is what follows.
    console.log(
      named
        .map(
          ({ key, name }) =>
            `${name}: ${DISTRIBUTION.exceptions[name] ?? (enforced(key) ? "enforced as it is" : "NOT LISTED")}`,
        )
        .sort()
        .join("\n"),
    );
    expect(unlisted, "keys without the distribution column and without a treatment").toEqual([]);
    expect(keys.length).toBeGreaterThan(10);
  });

  it("would refuse a new key without user_id, and a foreign key joining other columns", () => {
    const key = (table: string, columns: string[], references?: [string, string[]]): Key => ({
      table,
      kind: references ? "FOREIGN KEY" : "UNIQUE",
      columns,
      references: references?.[0] ?? null,
      referenced: references?.[1] ?? null,
    });
    expect(enforced(key("tasks", ["title"]))).toBe(false);
    expect(enforced(key("tasks", ["user_id", "title"]))).toBe(true);
    expect(enforced(key("tasks", ["user_id"], ["users", ["id"]]))).toBe(true);
    expect(enforced(key("tasks", ["user_id", "x"], ["projects", ["uid", "user_id"]]))).toBe(false);
    expect(enforced(key("new_table", ["user_id"]))).toBe(false);
  });

  it("lists no exception the schema no longer has", async () => {
    const names = new Set((await db.sql<Key>(KEYS)).map(describeKey));
    expect(Object.keys(DISTRIBUTION.exceptions).filter((name) => !names.has(name))).toEqual([]);
  });
});

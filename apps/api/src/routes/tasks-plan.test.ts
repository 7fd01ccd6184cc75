// Query plans of GET /tasks on PostgreSQL (DESIGN §2 "Indexes serve every list shape without a
// sort node"; §3 "A deep cursor page costs about what the first page costs"). Proven by plan shape,
// not timing: the SQL the API sends for each list shape is captured and EXPLAINed.
import { testDatabaseUrl } from "@todo/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness, type TestUser } from "../testing/index.js";

const SEEDED = 20_000;
const SORTS = ["createdAt", "updatedAt", "dueDate", "priority", "title"].flatMap((field) => [
  field,
  `-${field}`,
]);

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

const postgres = testDatabaseUrl() !== undefined;

describe.skipIf(!postgres)(
  "list query plans (PostgreSQL only: skipped when TEST_DATABASE_URL is unset, since PGlite's planner statistics are not the server's)",
  () => {
    let h: Harness;
    let user: TestUser;

    beforeAll(async () => {
      h = await startHarness();
      user = await h.user();
      const neighbour = await h.user();
      const { knex } = h.api.db;
      // Bulk rows with ties (20 titles, 4 priorities, repeated due dates), null due dates and completed ones.
      const seed = (owner: string, count: number) =>
        knex.raw(
          `INSERT INTO tasks (user_id, id, title, completed, completed_at, due_date, priority, tags, created_at, updated_at)
         SELECT ?, g, 'task ' || (g % 20), g % 3 = 0, CASE WHEN g % 3 = 0 THEN now() END,
                CASE WHEN g % 5 = 0 THEN NULL ELSE date '2026-01-01' + (g % 400) END, g % 4,
                ARRAY['tag' || (g % 7)], now() - g * interval '1 second', now() - ((g * 7919) % ?) * interval '1 second'
         FROM generate_series(1, ?) AS g`,
          [owner, count, count],
        );
      await seed(user.id, SEEDED);
      await seed(neighbour.id, 5_000);
      await knex.raw("UPDATE users SET task_seq = ? WHERE id = ?", [SEEDED, user.id]);
      await knex.raw("UPDATE tasks SET deleted_at = now() WHERE user_id = ? AND id % 50 = 0", [
        user.id,
      ]);
      await knex.raw("ANALYZE tasks");
    });
    afterAll(() => h?.close());

    /** Calls GET /tasks over HTTP and returns the SELECT it sent to the tasks table with an ORDER BY. */
    async function capture(
      query: string,
    ): Promise<{ sql: string; bindings: unknown[]; body: any }> {
      const seen: { sql: string; bindings: unknown[] }[] = [];
      const listener = (event: { sql: string; bindings?: unknown[] }) =>
        seen.push({ sql: event.sql, bindings: event.bindings ?? [] });
      h.api.db.knex.on("query", listener);
      try {
        const reply = await h.request("GET", `/api/v1/tasks?${query}`, { token: user.token });
        expect(reply.status, JSON.stringify(reply.body)).toBe(200);
        const listing = seen.filter(
          (entry) => /from "tasks"/i.test(entry.sql) && /order by/i.test(entry.sql),
        );
        expect(listing, query).toHaveLength(1);
        return { ...listing[0]!, body: reply.body };
      } finally {
        h.api.db.knex.off("query", listener);
      }
    }

    async function explain(sql: string, bindings: unknown[]): Promise<PlanNode> {
      // The captured SQL uses pg's $n placeholders; knex.raw wants `?`.
      const result = await h.api.db.knex.raw(
        `EXPLAIN (FORMAT JSON) ${sql.replace(/\$\d+/g, "?")}`,
        bindings as never[],
      );
      return (result.rows[0]["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
    }

    const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
    const describePlan = (plan: PlanNode) =>
      nodes(plan)
        .map(
          (node) =>
            `${node["Node Type"]}${node["Index Name"] ? ` on ${node["Index Name"]}` : ""}${node["Index Cond"] ? ` [${node["Index Cond"]}]` : ""}`,
        )
        .join(" > ");

    const SHAPES = [
      ...SORTS.flatMap((sort) =>
        ["", "&status=pending", "&status=completed"].map((filter) => `sort=${sort}${filter}`),
      ),
      // The trash: removed tasks by removal time.
      ...["deletedAt", "-deletedAt"].map((sort) => `deleted=true&sort=${sort}`),
    ];

    it.each(SHAPES)(
      "%s: neither the first page nor a cursor page needs a Sort node",
      async (shape) => {
        const first = await capture(`limit=20&${shape}`);
        const firstPlan = await explain(first.sql, first.bindings);
        expect(
          nodes(firstPlan).map((node) => node["Node Type"]),
          describePlan(firstPlan),
        ).not.toContain("Sort");
        expect(
          nodes(firstPlan).map((node) => node["Node Type"]),
          describePlan(firstPlan),
        ).not.toContain("Incremental Sort");

        const next = await capture(`limit=20&${shape}&cursor=${first.body.meta.nextCursor}`);
        const nextPlan = await explain(next.sql, next.bindings);
        expect(
          nodes(nextPlan).map((node) => node["Node Type"]),
          describePlan(nextPlan),
        ).not.toContain("Sort");
        expect(
          nodes(nextPlan).map((node) => node["Node Type"]),
          describePlan(nextPlan),
        ).not.toContain("Incremental Sort");
      },
    );

    it.each(SORTS)(
      "sort=%s: a deep cursor page is an index scan that starts at the cursor (no OFFSET, no Sort)",
      async (sort) => {
        // Walk to a page far into the list (past the null due dates for dueDate), then check its plan.
        const deepRow = (await capture(`limit=100&page=150&sort=${sort}`)).body.data.at(-1) as {
          id: number;
        };
        expect(deepRow).toBeDefined();
        let cursor = (await capture(`limit=100&page=150&sort=${sort}`)).body.meta
          .nextCursor as string;
        expect(cursor).toBeTruthy();
        for (const nullable of [false, true]) {
          if (nullable) {
            // A cursor that sits inside the block of null due dates (only dueDate has one).
            if (!sort.endsWith("dueDate")) continue;
            const inNulls = (
              await capture(`limit=100&page=${sort.startsWith("-") ? 5 : 190}&sort=${sort}`)
            ).body;
            expect(inNulls.data.at(-1).dueDate).toBeNull();
            cursor = inNulls.meta.nextCursor;
          }
          const deep = await capture(`limit=20&sort=${sort}&cursor=${cursor}`);
          expect(deep.sql).not.toMatch(/\boffset\b/i);
          expect(deep.body.data).toHaveLength(20);
          const plan = await explain(deep.sql, deep.bindings);
          const all = nodes(plan);
          const shape = describePlan(plan);
          expect(
            all.map((node) => node["Node Type"]),
            shape,
          ).not.toContain("Sort");
          const scan = all.find(
            (node) =>
              node["Node Type"] === "Index Scan" || node["Node Type"] === "Index Scan Backward",
          );
          expect(scan, shape).toBeDefined();
          // The scan is positioned by the cursor: the keyset comparison is an index condition, not a filter.
          expect(scan!["Index Cond"], shape).toMatch(/user_id = /);
          expect(scan!["Index Cond"], shape).toMatch(/ROW\(|id [<>] /);
          expect(scan!.Filter ?? "", shape).not.toMatch(/ROW\(/);
        }
      },
    );

    it("the page-mode count uses no Sort either", async () => {
      const seen: string[] = [];
      const listener = (event: { sql: string }) => seen.push(event.sql);
      h.api.db.knex.on("query", listener);
      const reply = await h.request("GET", "/api/v1/tasks?page=3&status=pending", {
        token: user.token,
      });
      h.api.db.knex.off("query", listener);
      expect(reply.body.meta.total).toBe(
        Array.from({ length: SEEDED }, (_, i) => i + 1).filter((g) => g % 50 !== 0 && g % 3 !== 0)
          .length,
      );
      const count = seen.find((sql) => /count\(/i.test(sql));
      expect(count).toBeDefined();
    });
  },
);

// Query plans of the task lists on PostgreSQL (DESIGN §2 "Indexes serve every list shape without
// a sort node"; §3 "A deep cursor page costs about what the first page costs"). Proven by plan
// shape, not timing: each list statement the module sends is captured and EXPLAINed, for every
// order in TASK_ORDERS, so a new order without its index fails here.
import { testDatabaseUrl } from "@todo/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ObservedStatement } from "../connection.js";
import { createTestDatabase, type TestDatabase } from "../testing.js";
import {
  TASK_ORDERS,
  type TaskFilter,
  type TaskOrder,
  type TaskPage,
  type TaskRow,
} from "./tasks.js";

const SEEDED = 20_000;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Filter?: string;
  "Relation Name"?: string;
  "Parent Relationship"?: string;
  Plans?: PlanNode[];
}

const postgres = testDatabaseUrl() !== undefined;
const ORDERS = Object.keys(TASK_ORDERS) as TaskOrder[];
const LIVE_ORDERS = ORDERS.filter((order) => !TASK_ORDERS[order].removed);
const DIRECTIONS = [false, true];

describe("task list orders and their indexes", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.close());

  it.each(ORDERS)(
    "order %s: its index is (user_id, key, id) over the live tasks, or over the trash for a trash order",
    async (order) => {
      const { index, key, removed } = TASK_ORDERS[order];
      const [found] = await db.sql<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'tasks' AND indexname = $1",
        [index],
      );
      expect(found, `index ${index}`).toBeDefined();
      const definition = found!.indexdef.toLowerCase();
      expect(definition).toContain(`(user_id, ${key.toLowerCase()}, id)`);
      expect(definition).toMatch(
        removed ? /where \(deleted_at is not null\)$/ : /where \(deleted_at is null\)$/,
      );
    },
  );

  it.each(ORDERS)(
    "order %s: its per-project index is (user_id, project_id, key, id) over the same rows",
    async (order) => {
      const { projectIndex, key, removed } = TASK_ORDERS[order];
      const [found] = await db.sql<{ indexdef: string }>(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'tasks' AND indexname = $1",
        [projectIndex],
      );
      expect(found, `index ${projectIndex}`).toBeDefined();
      const definition = found!.indexdef.toLowerCase();
      expect(definition).toContain(`(user_id, project_id, ${key.toLowerCase()}, id)`);
      expect(definition).toMatch(
        removed ? /where \(deleted_at is not null\)$/ : /where \(deleted_at is null\)$/,
      );
    },
  );
});

describe.skipIf(!postgres)(
  "task list query plans (PostgreSQL only: skipped when TEST_DATABASE_URL is unset, since PGlite's planner statistics are not the server's)",
  () => {
    const seen: ObservedStatement[] = [];
    let db: TestDatabase;
    let owner: string;
    /** The owner's project holding every third task; another, archived, a few more. */
    const PROJECT = 1;
    const ARCHIVED = 2;

    beforeAll(async () => {
      db = await createTestDatabase({ onStatement: (statement) => seen.push(statement) });
      owner = (await db.users.insert({ email: "plans@example.com" })).id;
      const neighbour = (await db.users.insert({ email: "neighbour@example.com" })).id;
      // Bulk rows with ties (20 titles, 4 priorities, repeated due dates), null due dates and completed ones.
      const seed = (user: string, count: number) =>
        db.sql(
          `INSERT INTO tasks (user_id, id, title, completed, completed_at, due_date, priority, tags, created_at, updated_at)
           SELECT $1, g, 'task ' || (g % 20), g % 3 = 0, CASE WHEN g % 3 = 0 THEN now() END,
                  CASE WHEN g % 5 = 0 THEN NULL ELSE date '2026-01-01' + (g % 400) END, g % 4,
                  ARRAY['tag' || (g % 7)], now() - g * interval '1 second', now() - ((g * 7919) % $2) * interval '1 second'
           FROM generate_series(1, $2) AS g`,
          [user, count],
        );
      await seed(owner, SEEDED);
      await seed(neighbour, 5_000);
      await db.projects.create(owner, "plans");
      await db.projects.create(owner, "archived");
      await db.projects.update(owner, ARCHIVED, { archived: true });
      await db.sql(
        "UPDATE tasks SET project_id = CASE WHEN id % 3 = 1 THEN $2::int WHEN id % 97 = 1 THEN $3::int END WHERE user_id = $1",
        [owner, PROJECT, ARCHIVED],
      );
      await db.sql("UPDATE users SET task_seq = $1 WHERE id = $2", [SEEDED, owner]);
      await db.sql("UPDATE tasks SET deleted_at = now() WHERE user_id = $1 AND id % 50 = 0", [
        owner,
      ]);
      await db.sql("ANALYZE tasks");
      await db.sql("ANALYZE projects");
    });
    afterAll(() => db?.close());

    /** Lists through the module and returns the rows and the one statement it sent. */
    async function list(
      filter: TaskFilter,
      page: TaskPage,
    ): Promise<{ rows: TaskRow[]; statement: ObservedStatement }> {
      seen.length = 0;
      const rows = await db.tasks.list(owner, filter, page);
      expect(seen).toHaveLength(1);
      return { rows, statement: seen[0]! };
    }

    async function explain(statement: ObservedStatement): Promise<PlanNode> {
      const [row] = await db.sql<{ "QUERY PLAN": { Plan: PlanNode }[] }>(
        `EXPLAIN (FORMAT JSON) ${statement.sql}`,
        statement.bindings,
      );
      return row!["QUERY PLAN"][0]!.Plan;
    }

    const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];
    const describePlan = (plan: PlanNode) =>
      nodes(plan)
        .map(
          (node) =>
            `${node["Node Type"]}${node["Index Name"] ? ` on ${node["Index Name"]}` : ""}${node["Index Cond"] ? ` [${node["Index Cond"]}]` : ""}`,
        )
        .join(" > ");
    const isIndexScan = (node: PlanNode) =>
      /^Index (Only )?Scan( Backward)?$/.test(node["Node Type"]);

    /**
     * The plan has no Sort and reads the tasks through the order's own index (its per-project
     * one when the filter names a project). The archived projects a list without a
     * project filter leaves out are read once, beside the scan (an InitPlan), not joined to it.
     */
    function expectServedByIndex(
      plan: PlanNode,
      order: TaskOrder,
      filter: TaskFilter = {},
    ): PlanNode {
      const shape = describePlan(plan);
      const types = nodes(plan).map((node) => node["Node Type"]);
      expect(types, shape).not.toContain("Sort");
      expect(types, shape).not.toContain("Incremental Sort");
      expect(
        types.filter((type) => /Join|Nested Loop/.test(type)),
        shape,
      ).toEqual([]);
      const scans = nodes(plan).filter(
        (node) => isIndexScan(node) && node["Relation Name"] === "tasks",
      );
      expect(scans, shape).toHaveLength(1);
      const { index, projectIndex } = TASK_ORDERS[order];
      // The tasks in no project may be most of them: the order's plain index, read with a filter,
      // is then as good a way to them, and also needs no Sort.
      const allowed =
        filter.project === undefined
          ? [index]
          : filter.project === null
            ? [index, projectIndex]
            : [projectIndex];
      expect(allowed, shape).toContain(scans[0]!["Index Name"]);
      return scans[0]!;
    }

    /** The keyset position after `row` in `order`, as the core's cursor carries it. */
    const after = (row: TaskRow, order: TaskOrder) => {
      const value = row[TASK_ORDERS[order].column];
      return {
        value: value instanceof Date ? value.toISOString() : value,
        id: row.id,
      };
    };

    const SHAPES: [TaskOrder, boolean, TaskFilter][] = [
      ...LIVE_ORDERS.flatMap((order) =>
        DIRECTIONS.flatMap((descending) =>
          [
            {},
            { completed: false },
            { completed: true },
            { project: PROJECT },
            { project: PROJECT, completed: false },
            { project: ARCHIVED },
            { project: null },
            { project: null, completed: true },
          ].map((filter): [TaskOrder, boolean, TaskFilter] => [order, descending, filter]),
        ),
      ),
      // The trash: removed tasks by removal time.
      ...DIRECTIONS.map((descending): [TaskOrder, boolean, TaskFilter] => [
        "deletedAt",
        descending,
        { removed: true },
      ]),
      ...DIRECTIONS.flatMap((descending) =>
        [PROJECT, null].map((project): [TaskOrder, boolean, TaskFilter] => [
          "deletedAt",
          descending,
          { removed: true, project },
        ]),
      ),
    ];

    it("has a test shape for every order, and every order is a live or a trash order as its index is", () => {
      expect(new Set(SHAPES.map(([order]) => order))).toEqual(new Set(ORDERS));
      expect(ORDERS.filter((order) => TASK_ORDERS[order].removed)).toEqual(["deletedAt"]);
    });

    it.each(SHAPES)(
      "order %s (descending: %s, filter %o): neither the first page nor a keyset page needs a Sort node",
      async (order, descending, filter) => {
        const first = await list(filter, { order, descending, limit: 20 });
        expectServedByIndex(await explain(first.statement), order, filter);
        if (filter.project !== undefined)
          expect(first.rows.every((row) => row.project_id === filter.project)).toBe(true);
        else if (!filter.removed)
          expect(first.rows.some((row) => row.project_id === ARCHIVED)).toBe(false);

        const next = await list(filter, {
          order,
          descending,
          limit: 20,
          after: after(first.rows.at(-1)!, order),
        });
        expect(next.rows).toHaveLength(20);
        expectServedByIndex(await explain(next.statement), order, filter);
      },
    );

    it.each(
      LIVE_ORDERS.flatMap((order) => DIRECTIONS.map((descending) => [order, descending] as const)),
    )(
      "order %s (descending: %s): a deep keyset page is an index scan that starts at the position (no OFFSET, no Sort)",
      async (order, descending) => {
        // A position far into the list (past the null due dates for dueDate).
        const deepRow = (
          await list({}, { order, descending, limit: 100, offset: 149 * 100 })
        ).rows.at(-1)!;
        expect(deepRow).toBeDefined();
        const positions = [after(deepRow, order)];
        if (order === "dueDate") {
          // A position inside the block of null due dates (only dueDate has one).
          const inNulls = (
            await list({}, { order, descending, limit: 100, offset: (descending ? 4 : 189) * 100 })
          ).rows.at(-1)!;
          expect(inNulls.due_date).toBeNull();
          positions.push(after(inNulls, order));
        }
        for (const position of positions) {
          const deep = await list({}, { order, descending, limit: 20, after: position });
          expect(deep.statement.sql).not.toMatch(/\boffset\b/i);
          expect(deep.rows).toHaveLength(20);
          const plan = await explain(deep.statement);
          const scan = expectServedByIndex(plan, order);
          const shape = describePlan(plan);
          // The scan is positioned by the keyset: the row comparison is an index condition, not a filter.
          expect(scan["Index Cond"], shape).toMatch(/user_id = /);
          expect(scan["Index Cond"], shape).toMatch(/ROW\(|id [<>] /);
          expect(scan.Filter ?? "", shape).not.toMatch(/ROW\(/);
        }
      },
    );

    it("counts the page-mode total without a Sort", async () => {
      seen.length = 0;
      const total = await db.tasks.count(owner, { completed: false });
      expect(total).toBe(
        Array.from({ length: SEEDED }, (_, i) => i + 1).filter(
          (g) => g % 50 !== 0 && g % 3 !== 0 && !(g % 3 !== 1 && g % 97 === 1),
        ).length,
      );
      expect(seen).toHaveLength(1);
      const plan = await explain(seen[0]!);
      expect(
        nodes(plan).map((node) => node["Node Type"]),
        describePlan(plan),
      ).not.toContain("Sort");
    });
  },
);

import { QuickAddParse, QuickAddRequest, QuickAddResult, taskETag } from "@todo/contract";
import { defineOperation, type Operation } from "../operation.js";

const TASKS = "/api/v1/tasks";

/** `/tasks/quick` and `/tasks/parse`: a task from one line of words (DESIGN §8). */
export const quickAddOperations: readonly Operation[] = [
  defineOperation({
    operationId: "quickAddTask",
    method: "post",
    path: `${TASKS}/quick`,
    tag: "Tasks",
    summary: "Create a task from a line of words",
    description:
      "Reads `text` as quick add does (`Pay rent every month on the 1st #home !high`, dates in your time zone) and creates the task, as `POST /api/v1/tasks` does; the answer also says what was understood. A `+project` that names none of your projects is a 422 on `text`.",
    auth: true,
    idempotent: true,
    request: { body: QuickAddRequest },
    responses: {
      201: {
        description: "The created task, and what the line said.",
        content: QuickAddResult,
        headers: ["Location", "ETag", "Idempotent-Replayed"],
      },
    },
    handle: async ({ body }, { deps, actor }) => {
      const result = await deps.services.tasks.quickAdd(actor, body);
      return {
        status: 201,
        body: result,
        headers: { Location: `${TASKS}/${result.task.id}`, ETag: taskETag(result.task.version) },
      };
    },
  }),
  defineOperation({
    operationId: "parseQuickAdd",
    method: "post",
    path: `${TASKS}/parse`,
    tag: "Tasks",
    summary: "Preview what a line of words would create",
    description:
      "Reads `text` as `POST /api/v1/tasks/quick` does and answers what it understood; creates nothing.",
    auth: true,
    request: { body: QuickAddRequest },
    responses: { 200: { description: "What the line says.", content: QuickAddParse } },
    handle: async ({ body }, { deps, actor }) => ({
      body: await deps.services.tasks.parseQuickAdd(actor, body),
    }),
  }),
];

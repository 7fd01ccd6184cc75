import {
  IfMatch,
  Task,
  TaskCreate,
  TaskId,
  TaskList,
  TaskListQuery,
  TaskReplace,
  TaskUpdate,
  taskETag,
} from "@todo/contract";
import { z } from "zod";
import { writeConditionOf } from "../etag.js";
import { defineOperation, type Operation, type Reply } from "../operation.js";

const TASKS = "/api/v1/tasks";
const TaskPath = z.object({ id: TaskId });
const IfMatchHeaders = z.object({ "If-Match": IfMatch.optional() });

/** A task response: the task with its `ETag` (RFC 9110 §8.8.3). */
const taskReply = (task: Task, status = 200): Reply => ({
  status,
  body: task,
  headers: { ETag: taskETag(task.version) },
});

/** A documented task response; `replayable` ones may come from an `Idempotency-Key` replay. */
const taskResponse = (description: string, replayable = false) => ({
  200: {
    description,
    content: Task,
    headers: replayable ? (["ETag", "Idempotent-Replayed"] as const) : (["ETag"] as const),
  },
});

/** `/tasks`: the caller's tasks. */
export const taskOperations: readonly Operation[] = [
  defineOperation({
    operationId: "listTasks",
    method: "get",
    path: TASKS,
    tag: "Tasks",
    summary: "List your tasks",
    description:
      "Filter, sort and page through your tasks (deleted ones are left out). Offset paging (`page`, the default, page 1) also returns `total` and `totalPages`; for keyset paging pass `meta.nextCursor` as `cursor` until it is `null`, which costs the same however deep you go.",
    auth: true,
    request: { query: TaskListQuery },
    responses: { 200: { description: "A page of tasks.", content: TaskList } },
    handle: async ({ query }, { deps, actor }) => ({
      body: await deps.services.tasks.list(actor, query),
    }),
  }),
  defineOperation({
    operationId: "createTask",
    method: "post",
    path: TASKS,
    tag: "Tasks",
    summary: "Create a task",
    auth: true,
    idempotent: true,
    request: { body: TaskCreate },
    responses: {
      201: {
        description: "The created task.",
        content: Task,
        headers: ["Location", "ETag", "Idempotent-Replayed"],
      },
    },
    handle: async ({ body }, { deps, actor }) => {
      const task = await deps.services.tasks.create(actor, body);
      const reply = taskReply(task, 201);
      return { ...reply, headers: { ...reply.headers, Location: `${TASKS}/${task.id}` } };
    },
  }),
  defineOperation({
    operationId: "getTask",
    method: "get",
    path: `${TASKS}/{id}`,
    tag: "Tasks",
    summary: "Get one of your tasks",
    auth: true,
    conditionalRead: true,
    request: { params: TaskPath },
    responses: taskResponse("The task."),
    errors: ["not_found"],
    handle: async ({ params }, { deps, actor }) =>
      taskReply(await deps.services.tasks.get(actor, params.id)),
  }),
  ...(
    [
      ["patch", "updateTask", "Change some fields of a task", TaskUpdate, "The updated task."],
      ["put", "replaceTask", "Replace a task's editable state", TaskReplace, "The replaced task."],
    ] as const
  ).map(([method, operationId, summary, body, description]) =>
    defineOperation({
      operationId,
      method,
      path: `${TASKS}/{id}`,
      tag: "Tasks",
      summary,
      auth: true,
      request: { params: TaskPath, headers: IfMatchHeaders, body },
      responses: taskResponse(description),
      errors: ["not_found", "precondition_failed"],
      handle: async ({ params, headers, body: input }, { deps, actor }) => {
        const condition = writeConditionOf(headers["If-Match"]);
        const { tasks } = deps.services;
        return taskReply(
          method === "patch"
            ? await tasks.update(actor, params.id, input, condition)
            : await tasks.replace(actor, params.id, input as TaskReplace, condition),
        );
      },
    }),
  ),
  defineOperation({
    operationId: "deleteTask",
    method: "delete",
    path: `${TASKS}/{id}`,
    tag: "Tasks",
    summary: "Delete a task",
    description: "A soft delete: `POST /api/v1/tasks/{id}/restore` brings it back.",
    auth: true,
    request: { params: TaskPath, headers: IfMatchHeaders },
    responses: { 204: { description: "The task is deleted." } },
    errors: ["not_found", "precondition_failed"],
    handle: async ({ params, headers }, { deps, actor }) => {
      await deps.services.tasks.remove(actor, params.id, writeConditionOf(headers["If-Match"]));
      return { status: 204 };
    },
  }),
  ...([true, false] as const).map((completed) => {
    const action = completed ? "complete" : "reopen";
    return defineOperation({
      operationId: `${action}Task`,
      method: "post",
      path: `${TASKS}/{id}/${action}`,
      tag: "Tasks",
      summary: completed ? "Mark a task completed" : "Mark a task pending again",
      description: completed
        ? "Idempotent: completing a completed task changes nothing. Sets `completedAt`."
        : "Idempotent: reopening a pending task changes nothing. Clears `completedAt`.",
      auth: true,
      idempotent: true,
      request: { params: TaskPath, headers: IfMatchHeaders },
      responses: taskResponse("The task.", true),
      errors: ["not_found", "precondition_failed"],
      handle: async ({ params, headers }, { deps, actor }) =>
        taskReply(
          await deps.services.tasks.setCompleted(
            actor,
            params.id,
            completed,
            writeConditionOf(headers["If-Match"]),
          ),
        ),
    });
  }),
  defineOperation({
    operationId: "restoreTask",
    method: "post",
    path: `${TASKS}/{id}/restore`,
    tag: "Tasks",
    summary: "Undo the deletion of a task",
    auth: true,
    idempotent: true,
    request: { params: TaskPath },
    responses: taskResponse("The restored task.", true),
    errors: ["not_found"],
    handle: async ({ params }, { deps, actor }) =>
      taskReply(await deps.services.tasks.restore(actor, params.id)),
  }),
];

import {
  IfMatch,
  Project,
  ProjectCreate,
  ProjectId,
  ProjectList,
  ProjectListQuery,
  ProjectUpdate,
  projectETag,
} from "@todo/contract";
import { z } from "zod";
import { writeConditionOf } from "../etag.js";
import { defineOperation, type Operation, type Reply } from "../operation.js";

const PROJECTS = "/api/v1/projects";
const ProjectPath = z.object({ id: ProjectId });
const IfMatchHeaders = z.object({ "If-Match": IfMatch.optional() });

/** A project response: the project with its `ETag` (RFC 9110 §8.8.3). */
const projectReply = (project: Project, status = 200): Reply => ({
  status,
  body: project,
  headers: { ETag: projectETag(project.version) },
});

/** A documented project response; `replayable` ones may come from an `Idempotency-Key` replay. */
const projectResponse = (description: string, replayable = false) => ({
  200: {
    description,
    content: Project,
    headers: replayable ? (["ETag", "Idempotent-Replayed"] as const) : (["ETag"] as const),
  },
});

/** `/projects`: the caller's projects (DESIGN §7). */
export const projectOperations: readonly Operation[] = [
  defineOperation({
    operationId: "listProjects",
    method: "get",
    path: PROJECTS,
    tag: "Projects",
    summary: "List your projects",
    description:
      "Your projects by name, case-insensitively: active ones by default, `archived=true` for the archived ones, `all` for both. Deleted projects are left out. Page with `meta.nextCursor` as `cursor` until it is `null`.",
    auth: true,
    request: { query: ProjectListQuery },
    responses: { 200: { description: "A page of projects.", content: ProjectList } },
    handle: async ({ query }, { deps, actor }) => ({
      body: await deps.services.projects.list(actor, query),
    }),
  }),
  defineOperation({
    operationId: "createProject",
    method: "post",
    path: PROJECTS,
    tag: "Projects",
    summary: "Create a project",
    auth: true,
    idempotent: true,
    request: { body: ProjectCreate },
    responses: {
      201: {
        description: "The created project.",
        content: Project,
        headers: ["Location", "ETag", "Idempotent-Replayed"],
      },
    },
    errors: ["project_name_taken"],
    handle: async ({ body }, { deps, actor }) => {
      const project = await deps.services.projects.create(actor, body);
      const reply = projectReply(project, 201);
      return { ...reply, headers: { ...reply.headers, Location: `${PROJECTS}/${project.id}` } };
    },
  }),
  defineOperation({
    operationId: "getProject",
    method: "get",
    path: `${PROJECTS}/{id}`,
    tag: "Projects",
    summary: "Get one of your projects",
    auth: true,
    conditionalRead: true,
    request: { params: ProjectPath },
    responses: projectResponse("The project."),
    errors: ["not_found"],
    handle: async ({ params }, { deps, actor }) =>
      projectReply(await deps.services.projects.get(actor, params.id)),
  }),
  defineOperation({
    operationId: "renameProject",
    method: "patch",
    path: `${PROJECTS}/{id}`,
    tag: "Projects",
    summary: "Rename a project",
    auth: true,
    request: { params: ProjectPath, headers: IfMatchHeaders, body: ProjectUpdate },
    responses: projectResponse("The renamed project."),
    errors: ["not_found", "precondition_failed", "project_name_taken"],
    handle: async ({ params, headers, body }, { deps, actor }) =>
      projectReply(
        await deps.services.projects.rename(
          actor,
          params.id,
          body,
          writeConditionOf(headers["If-Match"]),
        ),
      ),
  }),
  defineOperation({
    operationId: "deleteProject",
    method: "delete",
    path: `${PROJECTS}/{id}`,
    tag: "Projects",
    summary: "Delete a project and its tasks",
    description:
      "A soft delete of the project and, in the same transaction, of its tasks that are not deleted: `POST /api/v1/projects/{id}/restore` brings back exactly those.",
    auth: true,
    request: { params: ProjectPath, headers: IfMatchHeaders },
    responses: { 204: { description: "The project and its tasks are deleted." } },
    errors: ["not_found", "precondition_failed"],
    handle: async ({ params, headers }, { deps, actor }) => {
      await deps.services.projects.remove(actor, params.id, writeConditionOf(headers["If-Match"]));
      return { status: 204 };
    },
  }),
  ...([true, false] as const).map((archived) => {
    const action = archived ? "archive" : "unarchive";
    return defineOperation({
      operationId: `${action}Project`,
      method: "post",
      path: `${PROJECTS}/{id}/${action}`,
      tag: "Projects",
      summary: archived ? "Archive a project" : "Make an archived project active again",
      description: archived
        ? "Idempotent. An archived project and its tasks drop out of `GET /projects` and `GET /tasks`, unless the query names it."
        : "Idempotent: unarchiving an active project changes nothing.",
      auth: true,
      idempotent: true,
      request: { params: ProjectPath, headers: IfMatchHeaders },
      responses: projectResponse("The project.", true),
      errors: ["not_found", "precondition_failed"],
      handle: async ({ params, headers }, { deps, actor }) =>
        projectReply(
          await deps.services.projects.setArchived(
            actor,
            params.id,
            archived,
            writeConditionOf(headers["If-Match"]),
          ),
        ),
    });
  }),
  defineOperation({
    operationId: "restoreProject",
    method: "post",
    path: `${PROJECTS}/{id}/restore`,
    tag: "Projects",
    summary: "Undo the deletion of a project",
    description: "Brings back the project and exactly the tasks deleted with it.",
    auth: true,
    idempotent: true,
    request: { params: ProjectPath },
    responses: projectResponse("The restored project.", true),
    errors: ["not_found", "project_name_taken"],
    handle: async ({ params }, { deps, actor }) =>
      projectReply(await deps.services.projects.restore(actor, params.id)),
  }),
];

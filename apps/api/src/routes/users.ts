import { PasswordChange, User, UserUpdate } from "@todo/contract";
import { defineOperation, type Operation } from "../operation.js";

const ME = "/api/v1/users/me";

/** `/users/me`: the caller's profile, account deletion and password change. */
export const userOperations: readonly Operation[] = [
  defineOperation({
    operationId: "getMe",
    method: "get",
    path: ME,
    tag: "Users",
    summary: "Your profile",
    auth: true,
    responses: { 200: { description: "Your profile.", content: User } },
    errors: ["not_found"],
    handle: async (_input, { deps, actor }) => ({ body: await deps.services.users.get(actor) }),
  }),
  defineOperation({
    operationId: "updateMe",
    method: "patch",
    path: ME,
    tag: "Users",
    summary: "Change your profile",
    auth: true,
    request: { body: UserUpdate },
    responses: { 200: { description: "Your updated profile.", content: User } },
    errors: ["not_found"],
    handle: async ({ body }, { deps, actor }) => ({
      body: await deps.services.users.update(actor, body),
    }),
  }),
  defineOperation({
    operationId: "deleteMe",
    method: "delete",
    path: ME,
    tag: "Users",
    summary: "Delete your account",
    description: "Deletes the account with all its tasks and sessions. This cannot be undone.",
    auth: true,
    responses: { 204: { description: "The account is deleted." } },
    errors: ["not_found"],
    handle: async (_input, { deps, actor }) => {
      await deps.services.users.delete(actor);
      return { status: 204 };
    },
  }),
  defineOperation({
    operationId: "changePassword",
    method: "post",
    path: `${ME}/password`,
    tag: "Users",
    summary: "Change your password",
    description: "Revokes your other sessions; the one making this call stays logged in.",
    auth: true,
    request: { body: PasswordChange },
    responses: { 204: { description: "The password is changed." } },
    errors: ["invalid_credentials"],
    handle: async ({ body }, { deps, actor }) => {
      await deps.services.auth.changePassword(actor, body);
      return { status: 204 };
    },
  }),
];

import { AuthSession, LoginRequest, RefreshRequest, SignupRequest } from "@todo/contract";
import { defineOperation, type Operation } from "../operation.js";

const API = "/api/v1";

const session = (description: string) => ({ description, content: AuthSession });

/** `/auth/*`: signup, login, refresh and logout. No access token needed. */
export const authOperations: readonly Operation[] = [
  defineOperation({
    operationId: "signup",
    method: "post",
    path: `${API}/auth/signup`,
    tag: "Auth",
    summary: "Create an account and log in",
    description:
      "Returns an access token (send it as `Authorization: Bearer …`) and a refresh token.",
    attemptLimit: {},
    request: { body: SignupRequest },
    responses: { 201: session("The account was created; you are logged in.") },
    errors: ["email_taken", "unavailable"],
    handle: async ({ body }, { deps }) => ({
      status: 201,
      body: await deps.services.auth.signup(body),
    }),
  }),
  defineOperation({
    operationId: "login",
    method: "post",
    path: `${API}/auth/login`,
    tag: "Auth",
    summary: "Log in",
    description: "An unknown email and a wrong password answer the same 401 `invalid_credentials`.",
    attemptLimit: { clearEmailOnSuccess: true },
    request: { body: LoginRequest },
    responses: { 200: session("You are logged in.") },
    errors: ["invalid_credentials", "unavailable"],
    handle: async ({ body }, { deps }) => ({ body: await deps.services.auth.login(body) }),
  }),
  defineOperation({
    operationId: "refresh",
    method: "post",
    path: `${API}/auth/refresh`,
    tag: "Auth",
    summary: "Exchange a refresh token for a new token pair",
    description:
      "Refresh tokens rotate: each works once. Presenting one that was already used revokes that whole session (reuse detection).",
    request: { body: RefreshRequest },
    responses: {
      200: session("A new access token and refresh token; the old refresh token no longer works."),
    },
    errors: ["unauthorized", "unavailable"],
    handle: async ({ body }, { deps }) => ({
      body: await deps.services.auth.refresh(body.refreshToken),
    }),
  }),
  defineOperation({
    operationId: "logout",
    method: "post",
    path: `${API}/auth/logout`,
    tag: "Auth",
    summary: "Revoke a session",
    description:
      "Revokes the session the refresh token belongs to. An unknown token is not an error.",
    request: { body: RefreshRequest },
    responses: { 204: { description: "The session is revoked." } },
    errors: ["unavailable"],
    handle: async ({ body }, { deps }) => {
      await deps.services.auth.logout(body.refreshToken);
      return { status: 204 };
    },
  }),
];

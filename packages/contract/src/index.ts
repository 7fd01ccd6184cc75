/**
 * The zod contract: the single source of request, response and query shapes for the API, the
 * OpenAPI document, the typed client and the CLI. Database-free.
 */
export * from "./common.js";
export * from "./dates.js";
export * from "./recurrence-phrases.js";
export * from "./auth.js";
export * from "./tasks.js";
export * from "./quick-add.js";
export * from "./projects.js";
export * from "./sync.js";
export * from "./health.js";
export * from "./http.js";

import type { Operation } from "../operation.js";
import { authOperations } from "./auth.js";
import { docsOperations } from "./docs.js";
import { quickAddOperations } from "./quick-add.js";
import { projectOperations } from "./projects.js";
import { serviceOperations } from "./service.js";
import { syncOperations } from "./sync.js";
import { taskOperations } from "./tasks.js";
import { userOperations } from "./users.js";

/**
 * Every operation the API serves, each declared once (DESIGN §3): `createApp` mounts them and
 * `/openapi.json` documents them. The API's own come first: nearly every request is one of them.
 */
export const OPERATIONS: readonly Operation[] = [
  ...authOperations,
  ...userOperations,
  ...taskOperations,
  ...quickAddOperations,
  ...projectOperations,
  ...syncOperations,
  ...serviceOperations,
  ...docsOperations,
];

import { z } from "zod";

/** `GET /health` body: the process is up. */
export const Health = z
  .object({ status: z.literal("ok") })
  .meta({ id: "Health", description: "The process is up.", example: { status: "ok" } });
export type Health = z.infer<typeof Health>;

/** `GET /ready` body: the database answered. */
export const Readiness = z
  .object({
    status: z.literal("ok"),
    database: z
      .enum(["postgres", "pglite"])
      .meta({ description: "Which database this instance runs on." }),
  })
  .meta({
    id: "Readiness",
    description: "The database answered.",
    example: { status: "ok", database: "postgres" },
  });
export type Readiness = z.infer<typeof Readiness>;

/** `GET /` body: where to go from the root of the service. */
export const ServiceIndex = z
  .object({
    name: z.string(),
    api: z.string().meta({ description: "The prefix of every versioned operation." }),
    docs: z.string().meta({ description: "The interactive documentation." }),
    openapi: z.string().meta({ description: "The OpenAPI 3.1 document." }),
    health: z.string(),
    ready: z.string(),
  })
  .meta({
    id: "ServiceIndex",
    description: "Links to the API, its documentation and its health checks.",
  });
export type ServiceIndex = z.infer<typeof ServiceIndex>;

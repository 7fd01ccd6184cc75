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

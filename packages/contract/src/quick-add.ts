import { z } from "zod";
import { text } from "./common.js";
import { Description, Priority, Task, TaskCreate } from "./tasks.js";

/**
 * `POST /tasks/quick` and `POST /tasks/parse` body: one line as a person types it, and optionally
 * fields that win over what the line says (a client's own options, such as `todo add --due`).
 */
export const QuickAddRequest = TaskCreate.omit({ title: true })
  .extend({
    text: text()
      .trim()
      .min(1, "must not be blank")
      .max(1000, "must be at most 1000 characters")
      .meta({
        description:
          "The task in words: `#tag`, `+project`, `!low|!medium|!high`, a date (`tomorrow`, `next friday`, `dec 5`, `in 3 days`) in your time zone, a recurrence (`every day`, `every weekday`, `every monday`, `every 2 weeks`, `every month on the 15th`, `every year`); text in double quotes stays in the title as typed. The rest is the title.",
        example: "Pay rent every month on the 1st #home !high",
      }),
    description: Description.optional(),
  })
  .meta({
    id: "QuickAddRequest",
    description:
      "A line of quick add; other fields (`dueDate`, `priority`, `tags`, `recurrence`, …) win over what it says, and `tags` add to its own.",
    example: { text: "Pay rent every month on the 1st #home !high" },
  });
export type QuickAddRequest = z.infer<typeof QuickAddRequest>;

/** What quick add understood in a line: the fields of the task it makes. */
export const QuickAddParse = z
  .object({
    title: z.string(),
    dueDate: z.string().nullable(),
    recurrence: z.string().nullable(),
    recurrenceText: z.string().nullable(),
    tags: z.array(z.string()),
    priority: Priority.nullable().meta({ description: "`null` when the line names none." }),
    project: z.string().nullable().meta({ description: "The project named by `+name`." }),
  })
  .meta({
    id: "QuickAddParse",
    description: "What the line says, as the task's fields.",
    example: {
      title: "Pay rent",
      dueDate: "2027-01-01",
      recurrence: "FREQ=MONTHLY;BYMONTHDAY=1",
      recurrenceText: "every month on the 1st",
      tags: ["home"],
      priority: "high",
      project: null,
    },
  });
export type QuickAddParse = z.infer<typeof QuickAddParse>;

/** `POST /tasks/quick` response: the task created, and what was understood in the line. */
export const QuickAddResult = z
  .object({ task: Task, parsed: QuickAddParse })
  .meta({ id: "QuickAddResult", description: "The created task and what the line said." });
export type QuickAddResult = z.infer<typeof QuickAddResult>;

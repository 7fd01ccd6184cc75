import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable("users", (t) => {
    t.uuid("id").primary().defaultTo(knex.raw("gen_random_uuid()"));
    t.text("email").notNullable().unique();
    t.text("name").nullable();
    t.text("password_hash").nullable();
    t.text("external_issuer").nullable();
    t.text("external_subject").nullable();
    t.bigInteger("task_seq").notNullable().defaultTo(0);
    t.timestamp("created_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp("updated_at", { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(["external_issuer", "external_subject"]);
  });
  await knex.raw(
    `ALTER TABLE users ADD CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email)))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("users");
}

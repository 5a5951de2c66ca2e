CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workers" ADD COLUMN "gpu_models" text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX "blocks_worker_received_idx" ON "blocks" USING btree ("worker_id","received_at");--> statement-breakpoint
CREATE INDEX "leases_confirmed_idx" ON "leases" USING btree ("confirmed_at","lease_id");--> statement-breakpoint
CREATE INDEX "leases_ended_idx" ON "leases" USING btree ("ended_at","lease_id");--> statement-breakpoint
-- Backfill (hand-written): the distinct GPU names of every existing worker as reported, a JSON array.
UPDATE "workers" SET "gpu_models" = coalesce((SELECT json_agg(DISTINCT g->>'name')::text FROM jsonb_array_elements("workers"."gpus"::jsonb) AS g), '[]');--> statement-breakpoint
-- schema_meta is replaced by settings (hand-written copy; nothing wrote schema_meta before).
INSERT INTO "settings" ("key", "value") SELECT "key", "value" FROM "schema_meta";--> statement-breakpoint
DROP TABLE "schema_meta" CASCADE;

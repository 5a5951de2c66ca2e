DROP INDEX "workers_hashrate_idx";--> statement-breakpoint
DROP INDEX "workers_last_seen_idx";--> statement-breakpoint
ALTER TABLE "workers" ADD COLUMN "gpu_names" text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Backfill: the lowercase GPU names of every existing worker, one per line (hand-written).
UPDATE "workers" SET "gpu_names" = coalesce((SELECT string_agg(lower(g->>'name'), E'\n') FROM jsonb_array_elements("workers"."gpus"::jsonb) AS g), '');

DROP INDEX `workers_hashrate_idx`;--> statement-breakpoint
DROP INDEX `workers_last_seen_idx`;--> statement-breakpoint
ALTER TABLE `workers` ADD `gpu_names` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Backfill: the lowercase GPU names of every existing worker, one per line (hand-written).
UPDATE `workers` SET `gpu_names` = coalesce((SELECT group_concat(lower(json_extract(g.value, '$.name')), char(10)) FROM json_each(`workers`.`gpus`) AS g), '');

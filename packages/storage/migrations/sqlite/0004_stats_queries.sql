CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `workers` ADD `gpu_models` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
CREATE INDEX `blocks_worker_received_idx` ON `blocks` (`worker_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `leases_confirmed_idx` ON `leases` (`confirmed_at`,`lease_id`);--> statement-breakpoint
CREATE INDEX `leases_ended_idx` ON `leases` (`ended_at`,`lease_id`);--> statement-breakpoint
-- Backfill (hand-written): the distinct GPU names of every existing worker as reported, a JSON array.
UPDATE `workers` SET `gpu_models` = coalesce((SELECT json_group_array(DISTINCT json_extract(g.value, '$.name')) FROM json_each(`workers`.`gpus`) AS g), '[]');--> statement-breakpoint
-- schema_meta is replaced by settings (hand-written copy; nothing wrote schema_meta before).
INSERT INTO `settings` (`key`, `value`) SELECT `key`, `value` FROM `schema_meta`;--> statement-breakpoint
DROP TABLE `schema_meta`;

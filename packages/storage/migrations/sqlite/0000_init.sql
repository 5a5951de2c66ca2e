CREATE TABLE `accounts` (
	`address` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`name` text NOT NULL,
	`hash` text NOT NULL,
	`last4` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_uq` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_address_idx` ON `api_keys` (`address`,`created_at`);--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`target` text NOT NULL,
	`result` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `auth_nonces` (
	`nonce` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`message` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`consumed_at` integer
);
--> statement-breakpoint
CREATE INDEX `auth_nonces_expires_idx` ON `auth_nonces` (`expires_at`);--> statement-breakpoint
CREATE TABLE `balances` (
	`account` text PRIMARY KEY NOT NULL,
	`balance` integer NOT NULL,
	CONSTRAINT "balances_non_negative" CHECK("balances"."balance" >= 0 OR "balances"."account" = 'world')
);
--> statement-breakpoint
CREATE TABLE `blocks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`key` text NOT NULL,
	`worker_id` text NOT NULL,
	`lease_id` text,
	`hash` text NOT NULL,
	`account` text NOT NULL,
	`attempts` integer NOT NULL,
	`hashrate` text NOT NULL,
	`block_type` text NOT NULL,
	`difficulty` integer,
	`status` text NOT NULL,
	`reject_reason` text,
	`chain_status` text,
	`chain_block_id` integer,
	`chain_checks` integer NOT NULL,
	`next_chain_check_at` integer,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blocks_key_uq` ON `blocks` (`key`);--> statement-breakpoint
CREATE INDEX `blocks_lease_idx` ON `blocks` (`lease_id`,`id`);--> statement-breakpoint
CREATE INDEX `blocks_worker_idx` ON `blocks` (`worker_id`,`id`);--> statement-breakpoint
CREATE INDEX `blocks_chain_due_idx` ON `blocks` (`chain_status`,`next_chain_check_at`);--> statement-breakpoint
CREATE INDEX `blocks_received_idx` ON `blocks` (`received_at`);--> statement-breakpoint
CREATE TABLE `hashrate_daily` (
	`worker_id` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`avg_hashrate` real NOT NULL,
	`max_hashrate` real NOT NULL,
	`samples` integer NOT NULL,
	`online_samples` integer NOT NULL,
	PRIMARY KEY(`worker_id`, `bucket_start`)
);
--> statement-breakpoint
CREATE INDEX `daily_bucket_idx` ON `hashrate_daily` (`bucket_start`);--> statement-breakpoint
CREATE TABLE `hashrate_hourly` (
	`worker_id` text NOT NULL,
	`bucket_start` integer NOT NULL,
	`avg_hashrate` real NOT NULL,
	`max_hashrate` real NOT NULL,
	`samples` integer NOT NULL,
	`online_samples` integer NOT NULL,
	PRIMARY KEY(`worker_id`, `bucket_start`)
);
--> statement-breakpoint
CREATE INDEX `hourly_bucket_idx` ON `hashrate_hourly` (`bucket_start`);--> statement-breakpoint
CREATE TABLE `hashrate_snapshots` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`worker_id` text NOT NULL,
	`hashrate` real NOT NULL,
	`active_gpus` integer NOT NULL,
	`ts` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `snapshots_worker_ts_idx` ON `hashrate_snapshots` (`worker_id`,`ts`);--> statement-breakpoint
CREATE INDEX `snapshots_ts_idx` ON `hashrate_snapshots` (`ts`);--> statement-breakpoint
CREATE TABLE `health_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`worker_id` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`offline_for_sec` integer
);
--> statement-breakpoint
CREATE INDEX `health_worker_idx` ON `health_events` (`worker_id`,`id`);--> statement-breakpoint
CREATE INDEX `health_at_idx` ON `health_events` (`at`);--> statement-breakpoint
CREATE TABLE `leases` (
	`lease_id` text PRIMARY KEY NOT NULL,
	`worker_id` text NOT NULL,
	`renter` text NOT NULL,
	`provider` text NOT NULL,
	`consumer_address` text NOT NULL,
	`prefix` text NOT NULL,
	`duration_sec` integer NOT NULL,
	`price_per_sec` integer NOT NULL,
	`escrow` integer NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	`confirmed_at` integer,
	`expires_at` integer,
	`ended_at` integer,
	`last_good_heartbeat_at` integer,
	`billed_sec` integer,
	`blocks_accepted` integer NOT NULL,
	`blocks_rejected` integer NOT NULL,
	`hashrate_sum` real NOT NULL,
	`hashrate_samples` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `leases_open_worker_uq` ON `leases` (`worker_id`) WHERE "leases"."state" IN ('pending', 'active');--> statement-breakpoint
CREATE UNIQUE INDEX `leases_prefix_uq` ON `leases` (`prefix`);--> statement-breakpoint
CREATE INDEX `leases_renter_idx` ON `leases` (`renter`,`created_at`);--> statement-breakpoint
CREATE INDEX `leases_provider_idx` ON `leases` (`provider`,`created_at`);--> statement-breakpoint
CREATE INDEX `leases_worker_idx` ON `leases` (`worker_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `leases_state_expires_idx` ON `leases` (`state`,`expires_at`);--> statement-breakpoint
CREATE INDEX `leases_state_created_idx` ON `leases` (`state`,`created_at`);--> statement-breakpoint
CREATE TABLE `revoked_tokens` (
	`jti` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_tokens_expires_idx` ON `revoked_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `schema_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settlements` (
	`lease_id` text PRIMARY KEY NOT NULL,
	`renter` text NOT NULL,
	`worker_id` text NOT NULL,
	`provider` text NOT NULL,
	`state` text NOT NULL,
	`billed_sec` integer NOT NULL,
	`total` integer NOT NULL,
	`fee` integer NOT NULL,
	`provider_amount` integer NOT NULL,
	`refund` integer NOT NULL,
	`fee_bps` integer NOT NULL,
	`settled_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `settlements_renter_idx` ON `settlements` (`renter`,`settled_at`);--> statement-breakpoint
CREATE INDEX `settlements_provider_idx` ON `settlements` (`provider`,`settled_at`);--> statement-breakpoint
CREATE INDEX `settlements_settled_idx` ON `settlements` (`settled_at`);--> statement-breakpoint
CREATE TABLE `transfers` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`from_account` text NOT NULL,
	`to_account` text NOT NULL,
	`amount` integer NOT NULL,
	`reference_kind` text NOT NULL,
	`reference_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`from_balance_after` integer NOT NULL,
	`to_balance_after` integer NOT NULL,
	CONSTRAINT "transfers_amount_positive" CHECK("transfers"."amount" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transfers_id_uq` ON `transfers` (`id`);--> statement-breakpoint
CREATE INDEX `transfers_from_idx` ON `transfers` (`from_account`,`seq`);--> statement-breakpoint
CREATE INDEX `transfers_to_idx` ON `transfers` (`to_account`,`seq`);--> statement-breakpoint
CREATE INDEX `transfers_credits_idx` ON `transfers` (`type`,`to_account`,`created_at`);--> statement-breakpoint
CREATE TABLE `withdrawals` (
	`id` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`amount` integer NOT NULL,
	`to_address` text NOT NULL,
	`state` text NOT NULL,
	`reference` text,
	`reason` text,
	`created_at` integer NOT NULL,
	`resolved_at` integer
);
--> statement-breakpoint
CREATE INDEX `withdrawals_address_idx` ON `withdrawals` (`address`,`created_at`);--> statement-breakpoint
CREATE INDEX `withdrawals_state_idx` ON `withdrawals` (`state`,`created_at`);--> statement-breakpoint
CREATE TABLE `workers` (
	`worker_id` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`eth_address` text NOT NULL,
	`gpus` text NOT NULL,
	`gpu_count` integer NOT NULL,
	`total_memory_gb` integer NOT NULL,
	`version` text NOT NULL,
	`registered_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`state` text,
	`state_lease_id` text,
	`state_at` integer,
	`online` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`offline_since` integer,
	`hashrate` real NOT NULL,
	`active_gpus` integer NOT NULL,
	`config` text NOT NULL,
	`uptime_sec` integer NOT NULL,
	`price_per_sec` integer NOT NULL,
	`min_duration_sec` integer NOT NULL,
	`max_duration_sec` integer NOT NULL,
	`listed` integer NOT NULL,
	`banned` integer NOT NULL,
	`ban_reason` text,
	`suspect` integer NOT NULL,
	`last_sent_at` integer,
	`release_lease_id` text,
	`release_sent_at` integer,
	`last_lease_ended_at` integer,
	`pending_control` text,
	`online_sec` real NOT NULL,
	`last_heartbeat_at` integer,
	`leases_completed` integer NOT NULL,
	`leases_failed` integer NOT NULL,
	`verified_lease_blocks` integer NOT NULL,
	`lease_blocks` integer NOT NULL,
	`self_blocks` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workers_owner_idx` ON `workers` (`owner`);--> statement-breakpoint
CREATE INDEX `workers_match_idx` ON `workers` (`online`,`state`,`listed`,`banned`,`suspect`);--> statement-breakpoint
CREATE INDEX `workers_hashrate_idx` ON `workers` (`hashrate`);--> statement-breakpoint
CREATE INDEX `workers_price_idx` ON `workers` (`price_per_sec`);--> statement-breakpoint
CREATE INDEX `workers_last_seen_idx` ON `workers` (`last_seen_at`);--> statement-breakpoint
CREATE INDEX `workers_pending_control_idx` ON `workers` (`worker_id`) WHERE "workers"."pending_control" IS NOT NULL AND "workers"."pending_control" <> 'null';
CREATE TABLE "accounts" (
	"address" text PRIMARY KEY NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"name" text NOT NULL,
	"hash" text NOT NULL,
	"last4" text NOT NULL,
	"created_at" bigint NOT NULL,
	"last_used_at" bigint,
	"revoked_at" bigint
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"result" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "auth_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"message" text NOT NULL,
	"issued_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL,
	"consumed_at" bigint
);
--> statement-breakpoint
CREATE TABLE "balances" (
	"account" text PRIMARY KEY NOT NULL,
	"balance" bigint NOT NULL,
	CONSTRAINT "balances_non_negative" CHECK ("balances"."balance" >= 0 OR "balances"."account" = 'world')
);
--> statement-breakpoint
CREATE TABLE "blocks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"worker_id" text NOT NULL,
	"lease_id" text,
	"hash" text NOT NULL,
	"account" text NOT NULL,
	"attempts" bigint NOT NULL,
	"hashrate" text NOT NULL,
	"block_type" text NOT NULL,
	"difficulty" integer,
	"status" text NOT NULL,
	"reject_reason" text,
	"chain_status" text,
	"chain_block_id" bigint,
	"chain_checks" integer NOT NULL,
	"next_chain_check_at" bigint,
	"received_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hashrate_daily" (
	"worker_id" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"avg_hashrate" double precision NOT NULL,
	"max_hashrate" double precision NOT NULL,
	"samples" integer NOT NULL,
	"online_samples" integer NOT NULL,
	CONSTRAINT "hashrate_daily_worker_id_bucket_start_pk" PRIMARY KEY("worker_id","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "hashrate_hourly" (
	"worker_id" text NOT NULL,
	"bucket_start" bigint NOT NULL,
	"avg_hashrate" double precision NOT NULL,
	"max_hashrate" double precision NOT NULL,
	"samples" integer NOT NULL,
	"online_samples" integer NOT NULL,
	CONSTRAINT "hashrate_hourly_worker_id_bucket_start_pk" PRIMARY KEY("worker_id","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "hashrate_snapshots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"worker_id" text NOT NULL,
	"hashrate" double precision NOT NULL,
	"active_gpus" integer NOT NULL,
	"ts" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" bigint NOT NULL,
	"worker_id" text NOT NULL,
	"kind" text NOT NULL,
	"reason" text,
	"offline_for_sec" integer
);
--> statement-breakpoint
CREATE TABLE "leases" (
	"lease_id" text PRIMARY KEY NOT NULL,
	"worker_id" text NOT NULL,
	"renter" text NOT NULL,
	"provider" text NOT NULL,
	"consumer_address" text NOT NULL,
	"prefix" text NOT NULL,
	"duration_sec" integer NOT NULL,
	"price_per_sec" bigint NOT NULL,
	"escrow" bigint NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"created_at" bigint NOT NULL,
	"confirmed_at" bigint,
	"expires_at" bigint,
	"ended_at" bigint,
	"last_good_heartbeat_at" bigint,
	"billed_sec" integer,
	"blocks_accepted" integer NOT NULL,
	"blocks_rejected" integer NOT NULL,
	"hashrate_sum" double precision NOT NULL,
	"hashrate_samples" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "revoked_tokens" (
	"jti" text PRIMARY KEY NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schema_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlements" (
	"lease_id" text PRIMARY KEY NOT NULL,
	"renter" text NOT NULL,
	"worker_id" text NOT NULL,
	"provider" text NOT NULL,
	"state" text NOT NULL,
	"billed_sec" integer NOT NULL,
	"total" bigint NOT NULL,
	"fee" bigint NOT NULL,
	"provider_amount" bigint NOT NULL,
	"refund" bigint NOT NULL,
	"fee_bps" integer NOT NULL,
	"settled_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transfers" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"from_account" text NOT NULL,
	"to_account" text NOT NULL,
	"amount" bigint NOT NULL,
	"reference_kind" text NOT NULL,
	"reference_id" text NOT NULL,
	"created_at" bigint NOT NULL,
	"from_balance_after" bigint NOT NULL,
	"to_balance_after" bigint NOT NULL,
	CONSTRAINT "transfers_amount_positive" CHECK ("transfers"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" text PRIMARY KEY NOT NULL,
	"address" text NOT NULL,
	"amount" bigint NOT NULL,
	"to_address" text NOT NULL,
	"state" text NOT NULL,
	"reference" text,
	"reason" text,
	"created_at" bigint NOT NULL,
	"resolved_at" bigint
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"eth_address" text NOT NULL,
	"gpus" text NOT NULL,
	"gpu_count" integer NOT NULL,
	"total_memory_gb" integer NOT NULL,
	"version" text NOT NULL,
	"registered_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	"state" text,
	"state_lease_id" text,
	"state_at" bigint,
	"online" boolean NOT NULL,
	"last_seen_at" bigint NOT NULL,
	"offline_since" bigint,
	"hashrate" double precision NOT NULL,
	"active_gpus" integer NOT NULL,
	"config" text NOT NULL,
	"uptime_sec" integer NOT NULL,
	"price_per_sec" bigint NOT NULL,
	"min_duration_sec" integer NOT NULL,
	"max_duration_sec" integer NOT NULL,
	"listed" boolean NOT NULL,
	"banned" boolean NOT NULL,
	"ban_reason" text,
	"suspect" boolean NOT NULL,
	"last_sent_at" bigint,
	"release_lease_id" text,
	"release_sent_at" bigint,
	"last_lease_ended_at" bigint,
	"pending_control" text,
	"online_sec" double precision NOT NULL,
	"last_heartbeat_at" bigint,
	"leases_completed" integer NOT NULL,
	"leases_failed" integer NOT NULL,
	"verified_lease_blocks" integer NOT NULL,
	"lease_blocks" integer NOT NULL,
	"self_blocks" integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_hash_uq" ON "api_keys" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "api_keys_address_idx" ON "api_keys" USING btree ("address","created_at");--> statement-breakpoint
CREATE INDEX "audit_at_idx" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "auth_nonces_expires_idx" ON "auth_nonces" USING btree ("expires_at");--> statement-breakpoint
CREATE UNIQUE INDEX "blocks_key_uq" ON "blocks" USING btree ("key");--> statement-breakpoint
CREATE INDEX "blocks_lease_idx" ON "blocks" USING btree ("lease_id","id");--> statement-breakpoint
CREATE INDEX "blocks_worker_idx" ON "blocks" USING btree ("worker_id","id");--> statement-breakpoint
CREATE INDEX "blocks_chain_due_idx" ON "blocks" USING btree ("chain_status","next_chain_check_at");--> statement-breakpoint
CREATE INDEX "blocks_received_idx" ON "blocks" USING btree ("received_at");--> statement-breakpoint
CREATE INDEX "daily_bucket_idx" ON "hashrate_daily" USING btree ("bucket_start");--> statement-breakpoint
CREATE INDEX "hourly_bucket_idx" ON "hashrate_hourly" USING btree ("bucket_start");--> statement-breakpoint
CREATE INDEX "snapshots_worker_ts_idx" ON "hashrate_snapshots" USING btree ("worker_id","ts");--> statement-breakpoint
CREATE INDEX "snapshots_ts_idx" ON "hashrate_snapshots" USING btree ("ts");--> statement-breakpoint
CREATE INDEX "health_worker_idx" ON "health_events" USING btree ("worker_id","id");--> statement-breakpoint
CREATE INDEX "health_at_idx" ON "health_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "leases_open_worker_uq" ON "leases" USING btree ("worker_id") WHERE "leases"."state" IN ('pending', 'active');--> statement-breakpoint
CREATE UNIQUE INDEX "leases_prefix_uq" ON "leases" USING btree ("prefix");--> statement-breakpoint
CREATE INDEX "leases_renter_idx" ON "leases" USING btree ("renter","created_at");--> statement-breakpoint
CREATE INDEX "leases_provider_idx" ON "leases" USING btree ("provider","created_at");--> statement-breakpoint
CREATE INDEX "leases_worker_idx" ON "leases" USING btree ("worker_id","created_at");--> statement-breakpoint
CREATE INDEX "leases_state_expires_idx" ON "leases" USING btree ("state","expires_at");--> statement-breakpoint
CREATE INDEX "leases_state_created_idx" ON "leases" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "revoked_tokens_expires_idx" ON "revoked_tokens" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "settlements_renter_idx" ON "settlements" USING btree ("renter","settled_at");--> statement-breakpoint
CREATE INDEX "settlements_provider_idx" ON "settlements" USING btree ("provider","settled_at");--> statement-breakpoint
CREATE INDEX "settlements_settled_idx" ON "settlements" USING btree ("settled_at");--> statement-breakpoint
CREATE UNIQUE INDEX "transfers_id_uq" ON "transfers" USING btree ("id");--> statement-breakpoint
CREATE INDEX "transfers_from_idx" ON "transfers" USING btree ("from_account","seq");--> statement-breakpoint
CREATE INDEX "transfers_to_idx" ON "transfers" USING btree ("to_account","seq");--> statement-breakpoint
CREATE INDEX "transfers_credits_idx" ON "transfers" USING btree ("type","to_account","created_at");--> statement-breakpoint
CREATE INDEX "withdrawals_address_idx" ON "withdrawals" USING btree ("address","created_at");--> statement-breakpoint
CREATE INDEX "withdrawals_state_idx" ON "withdrawals" USING btree ("state","created_at");--> statement-breakpoint
CREATE INDEX "workers_owner_idx" ON "workers" USING btree ("owner");--> statement-breakpoint
CREATE INDEX "workers_match_idx" ON "workers" USING btree ("online","state","listed","banned","suspect");--> statement-breakpoint
CREATE INDEX "workers_hashrate_idx" ON "workers" USING btree ("hashrate");--> statement-breakpoint
CREATE INDEX "workers_price_idx" ON "workers" USING btree ("price_per_sec");--> statement-breakpoint
CREATE INDEX "workers_last_seen_idx" ON "workers" USING btree ("last_seen_at");--> statement-breakpoint
CREATE INDEX "workers_pending_control_idx" ON "workers" USING btree ("worker_id") WHERE "workers"."pending_control" IS NOT NULL AND "workers"."pending_control" <> 'null';
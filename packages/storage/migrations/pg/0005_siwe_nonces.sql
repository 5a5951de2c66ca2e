CREATE TABLE "siwe_nonces" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"nonce" text NOT NULL,
	"address" text NOT NULL,
	"chain_id" integer NOT NULL,
	"message" text NOT NULL,
	"issued_at" bigint NOT NULL,
	"expires_at" bigint NOT NULL
);
--> statement-breakpoint
-- auth_nonces (0000) was never written: sign-in nonces lived in memory until siwe_nonces.
DROP TABLE "auth_nonces" CASCADE;--> statement-breakpoint
CREATE UNIQUE INDEX "siwe_nonces_nonce_uq" ON "siwe_nonces" USING btree ("nonce");--> statement-breakpoint
CREATE INDEX "siwe_nonces_address_idx" ON "siwe_nonces" USING btree ("address","seq");--> statement-breakpoint
CREATE INDEX "siwe_nonces_expires_idx" ON "siwe_nonces" USING btree ("expires_at");
CREATE TABLE `siwe_nonces` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`nonce` text NOT NULL,
	`address` text NOT NULL,
	`chain_id` integer NOT NULL,
	`message` text NOT NULL,
	`issued_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `siwe_nonces_nonce_uq` ON `siwe_nonces` (`nonce`);--> statement-breakpoint
CREATE INDEX `siwe_nonces_address_idx` ON `siwe_nonces` (`address`,`seq`);--> statement-breakpoint
CREATE INDEX `siwe_nonces_expires_idx` ON `siwe_nonces` (`expires_at`);--> statement-breakpoint
-- auth_nonces (0000) was never written: sign-in nonces lived in memory until siwe_nonces.
DROP TABLE `auth_nonces`;
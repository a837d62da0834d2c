CREATE TABLE `account_search_keys` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `account_search_keys_account_id_unique` ON `account_search_keys` (`account_id`);
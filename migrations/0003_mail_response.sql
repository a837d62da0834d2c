ALTER TABLE `mail_outbox` ADD `last_response` text;--> statement-breakpoint
ALTER TABLE `mail_outbox` ADD `transport` text;
ALTER TABLE `invitations` ADD `language` text DEFAULT 'en' NOT NULL;--> statement-breakpoint
-- Requests sent before the language was kept: the language their mail went out in (the address's own account's, else the sender's).
UPDATE `invitations` SET `language` = coalesce(
  (SELECT `language` FROM `accounts` WHERE `accounts`.`email_lower` = `invitations`.`email_lower`),
  (SELECT `language` FROM `accounts` WHERE `accounts`.`id` = `invitations`.`invited_by`),
  'en'
);

-- The admin search's filters (organization, status, type, group) travel in
-- the full-text index as unindexed columns, so a search counts and pages its
-- matches inside the index without visiting each matching account row.
DROP TRIGGER `accounts_fts_insert`;
--> statement-breakpoint
DROP TRIGGER `accounts_fts_update`;
--> statement-breakpoint
DROP TRIGGER `accounts_fts_delete`;
--> statement-breakpoint
DROP TABLE `accounts_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `accounts_fts` USING fts5(
  user_id, email, nickname,
  organization_id UNINDEXED, status UNINDEXED, type UNINDEXED, group_name UNINDEXED,
  tokenize = 'trigram'
);
--> statement-breakpoint
CREATE TRIGGER `accounts_fts_insert` AFTER INSERT ON `accounts` BEGIN
  INSERT INTO account_search_keys (account_id) VALUES (new.id);
  INSERT INTO accounts_fts (rowid, user_id, email, nickname, organization_id, status, type, group_name)
    VALUES ((SELECT key FROM account_search_keys WHERE account_id = new.id), new.user_id, coalesce(new.email, ''), new.nickname,
            coalesce(new.organization_id, ''), new.status, new.type, new.group_name);
END;
--> statement-breakpoint
CREATE TRIGGER `accounts_fts_update` AFTER UPDATE OF user_id, email, nickname, organization_id, status, type, group_name ON `accounts` BEGIN
  UPDATE accounts_fts SET user_id = new.user_id, email = coalesce(new.email, ''), nickname = new.nickname,
    organization_id = coalesce(new.organization_id, ''), status = new.status, type = new.type, group_name = new.group_name
    WHERE rowid = (SELECT key FROM account_search_keys WHERE account_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `accounts_fts_delete` AFTER DELETE ON `accounts` BEGIN
  DELETE FROM accounts_fts WHERE rowid = (SELECT key FROM account_search_keys WHERE account_id = old.id);
  DELETE FROM account_search_keys WHERE account_id = old.id;
END;
--> statement-breakpoint
INSERT INTO accounts_fts (rowid, user_id, email, nickname, organization_id, status, type, group_name)
  SELECT k.key, a.user_id, coalesce(a.email, ''), a.nickname, coalesce(a.organization_id, ''), a.status, a.type, a.group_name
  FROM accounts a JOIN account_search_keys k ON k.account_id = a.id;

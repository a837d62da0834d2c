-- Substring search over userId, email and nickname for the admin console
-- (100,000 accounts): an FTS5 index with the trigram tokenizer, kept in step
-- with accounts by triggers. Keys come from account_search_keys (stable).
CREATE VIRTUAL TABLE `accounts_fts` USING fts5(user_id, email, nickname, tokenize = 'trigram');
--> statement-breakpoint
CREATE TRIGGER `accounts_fts_insert` AFTER INSERT ON `accounts` BEGIN
  INSERT INTO account_search_keys (account_id) VALUES (new.id);
  INSERT INTO accounts_fts (rowid, user_id, email, nickname)
    VALUES ((SELECT key FROM account_search_keys WHERE account_id = new.id), new.user_id, coalesce(new.email, ''), new.nickname);
END;
--> statement-breakpoint
CREATE TRIGGER `accounts_fts_update` AFTER UPDATE OF user_id, email, nickname ON `accounts` BEGIN
  UPDATE accounts_fts SET user_id = new.user_id, email = coalesce(new.email, ''), nickname = new.nickname
    WHERE rowid = (SELECT key FROM account_search_keys WHERE account_id = new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `accounts_fts_delete` AFTER DELETE ON `accounts` BEGIN
  DELETE FROM accounts_fts WHERE rowid = (SELECT key FROM account_search_keys WHERE account_id = old.id);
  DELETE FROM account_search_keys WHERE account_id = old.id;
END;
--> statement-breakpoint
INSERT INTO account_search_keys (account_id) SELECT id FROM accounts;
--> statement-breakpoint
INSERT INTO accounts_fts (rowid, user_id, email, nickname)
  SELECT k.key, a.user_id, coalesce(a.email, ''), a.nickname FROM accounts a JOIN account_search_keys k ON k.account_id = a.id;

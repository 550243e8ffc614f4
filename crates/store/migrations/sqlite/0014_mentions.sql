-- Mentions (issue 14): what a message mentions, worked out once when it is posted or edited
-- (after allowed_mentions and the author's permissions), so that history renders it without
-- parsing the content again. Ids are decimal, separated by single spaces; '' is none.
ALTER TABLE messages ADD COLUMN mention_user_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN mention_role_ids TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN mention_everyone BOOLEAN NOT NULL DEFAULT FALSE;

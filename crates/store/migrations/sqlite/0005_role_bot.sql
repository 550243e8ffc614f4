-- A bot's own role names its bot: Discord's role `tags.bot_id`, by which discord.py
-- (`Role.is_bot_managed`, `Guild.self_role`) and discord.js (`botRole`) find it. NULL for every
-- other role. Set once, when the bot is added with permissions; never changed.
ALTER TABLE roles ADD COLUMN bot_id BIGINT;

-- Rooms become records (docs/protocol.md §14). A row with created_by NULL is an implicit open room
-- (made by its first message); last_seq keeps its meaning.
ALTER TABLE rooms
    ADD COLUMN kind              text        NOT NULL DEFAULT 'open' CHECK (kind IN ('open', 'private', 'direct')),
    ADD COLUMN topic             text        NULL,
    ADD COLUMN created_by        text        NULL,
    ADD COLUMN created_at        timestamptz NULL,
    ADD COLUMN slow_mode_seconds int         NOT NULL DEFAULT 0,
    -- The two user ids of a direct room, in order: one direct room per pair, whoever races to make it.
    ADD COLUMN dm_key            text        NULL UNIQUE;

CREATE TABLE users (
    user_id   text        PRIMARY KEY,
    name      text        NOT NULL,
    last_seen timestamptz NOT NULL
);

CREATE TABLE room_members (
    room     text        NOT NULL,
    user_id  text        NOT NULL,
    role     text        NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (room, user_id)
);

-- Members are paged by user id in byte order, whatever the database's collation.
CREATE INDEX room_members_paging ON room_members (room, user_id COLLATE "C");
CREATE INDEX room_members_by_user ON room_members (user_id, room);

CREATE TABLE room_bans (
    room       text        NOT NULL,
    user_id    text        NOT NULL,
    reason     text        NOT NULL,
    expires_at timestamptz NULL,
    banned_by  text        NOT NULL,
    banned_at  timestamptz NOT NULL,
    PRIMARY KEY (room, user_id)
);

CREATE TABLE room_mutes (
    room       text        NOT NULL,
    user_id    text        NOT NULL,
    reason     text        NULL,
    expires_at timestamptz NULL,
    muted_by   text        NOT NULL,
    muted_at   timestamptz NOT NULL,
    PRIMARY KEY (room, user_id)
);

CREATE TABLE moderation_audit (
    id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room    text        NOT NULL,
    actor   text        NOT NULL,
    action  text        NOT NULL,
    target  text        NULL,
    reason  text        NULL,
    details jsonb       NULL,
    at      timestamptz NOT NULL
);

CREATE INDEX moderation_audit_by_room ON moderation_audit (room, id);

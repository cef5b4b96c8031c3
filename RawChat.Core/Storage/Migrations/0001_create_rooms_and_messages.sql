-- rooms.last_seq is bumped in the same statement that inserts a message, so a room's seqs
-- are gapless and follow commit order (the row lock serialises posts to one room).
CREATE TABLE rooms (
    room     text   PRIMARY KEY,
    last_seq bigint NOT NULL
);

CREATE TABLE messages (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room          text        NOT NULL,
    seq           bigint      NOT NULL,
    user_id       text        NOT NULL,
    username      text        NOT NULL,
    content       text        NOT NULL,
    client_msg_id text        NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT messages_room_seq UNIQUE (room, seq)
);

-- Makes clientMsgId idempotent per user and room.
CREATE UNIQUE INDEX messages_client_msg_id
    ON messages (room, user_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;

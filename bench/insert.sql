-- The one-row insert RawChat issues per post (RawChat.Core/Storage/MessageStore.cs, AppendSql, with a
-- clientMsgId as RawChat.Bench sends one), as a pgbench custom script: a random room of 500 per
-- transaction, a fresh clientMsgId, one transaction (and one WAL flush) per row.
\set r random(1, 500)
\set c random(1, 1000000000000)
WITH bumped AS (
    INSERT INTO rooms (room, last_seq)
    SELECT 'pgbench-' || :r, 1
    WHERE NOT EXISTS (
        SELECT 1 FROM messages
        WHERE room = 'pgbench-' || :r AND user_id = 'pgbench' AND client_msg_id = 'pgb-' || :c)
    ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq + 1
    RETURNING last_seq)
INSERT INTO messages (room, seq, user_id, username, content, client_msg_id, created_at)
SELECT 'pgbench-' || :r, last_seq, 'pgbench', 'pgbench', 'b|0|1|1234567890123', 'pgb-' || :c, clock_timestamp()
FROM bumped
RETURNING id, room, seq, user_id AS UserId, username, content, client_msg_id AS ClientMsgId, created_at AS CreatedAt;

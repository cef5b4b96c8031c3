-- The one-row baseline for the ratio bench/run.sh prints: RawChat's single-post insert
-- (RawChat.Core/Storage/SingleInsert.cs, Sql, with a clientMsgId as RawChat.Bench sends one), as a
-- pgbench custom script: a random room of 500 per transaction, a fresh clientMsgId, one transaction
-- (and one WAL flush) per row. The node uses that statement only as its writer's fallback, for a
-- post whose batch failed; its normal path is one statement per batch (BatchInsert.cs: the posts
-- unnested, one bump of each room's last_seq by its count, seqs numbered with row_number) committed
-- once for the whole batch. Left out here: SingleInsert's `@client_msg_id IS NULL OR` (the
-- clientMsgId is never null here) and the pg_current_xact_id() it returns after the row's columns.
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

using System.Data;
using System.Security.Cryptography;
using Dapper;

namespace RawChat.Core.Rooms;

/// <summary>Room records in PostgreSQL: creating, reading and changing them, and direct rooms (docs/protocol.md §14.3, §14.4).</summary>
public sealed class RoomStore(RoomsDatabase database)
{
    private const string RoomColumns = """
        room AS Room, kind AS Kind, topic AS Topic, created_by AS CreatedBy, created_at AS CreatedAt,
        slow_mode_seconds AS SlowModeSeconds, true AS "Exists"
        """;

    // The room, whether it holds any ban or mute, and the user's membership, ban and mute: one round trip.
    private const string AccessSql = """
        SELECT r.kind AS Kind, r.topic AS Topic, r.created_by AS CreatedBy, r.created_at AS CreatedAt,
               coalesce(r.slow_mode_seconds, 0) AS SlowModeSeconds, r.room IS NOT NULL AS "Exists",
               EXISTS (SELECT 1 FROM room_bans WHERE room = @room) AS HasBans,
               EXISTS (SELECT 1 FROM room_mutes WHERE room = @room) AS HasMutes,
               m.role AS Role, b.room IS NOT NULL AS Banned, b.expires_at AS BannedUntil,
               mu.room IS NOT NULL AS Muted, mu.expires_at AS MutedUntil
        FROM (SELECT @room::text AS room, @userId::text AS user_id) k
        LEFT JOIN rooms r ON r.room = k.room
        LEFT JOIN room_members m ON m.room = k.room AND m.user_id = k.user_id
        LEFT JOIN room_bans b ON b.room = k.room AND b.user_id = k.user_id
        LEFT JOIN room_mutes mu ON mu.room = k.room AND mu.user_id = k.user_id
        """;

    /// <summary>What decides whether <paramref name="userId"/> may use <paramref name="room"/> (§14.1).</summary>
    public Task<(RoomPolicy Policy, UserStanding Standing)> ReadAccessAsync(string room, string userId) =>
        database.ReadAsync(async db =>
        {
            var row = await db.QuerySingleAsync<AccessRow>(AccessSql, new { room, userId }).ConfigureAwait(false);
            var record = row.Exists
                ? new RoomRecord(room, row.Kind!, row.Topic, row.CreatedBy, row.CreatedAt, row.SlowModeSeconds, true)
                : RoomRecord.Implicit(room);
            return (new RoomPolicy(record, row.HasBans, row.HasMutes),
                new UserStanding(row.Role, row.Banned, row.BannedUntil, row.Muted, row.MutedUntil));
        });

    /// <summary>The room's record; null when the name has no row (an implicit room nobody posted to).</summary>
    public Task<RoomRecord?> GetAsync(string room) =>
        database.ReadAsync(db => db.QuerySingleOrDefaultAsync<RoomRecord?>($"SELECT {RoomColumns} FROM rooms WHERE room = @room",
            new { room }));

    /// <summary>Creates a room with <paramref name="creator"/> as its owner; null when the name has a record already.</summary>
    public Task<RoomRecord?> CreateAsync(string room, string kind, string? topic, string creator) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var created = await db.QuerySingleOrDefaultAsync<RoomRecord?>($"""
                INSERT INTO rooms (room, last_seq, kind, topic, created_by, created_at)
                VALUES (@room, 0, @kind, @topic, @creator, now())
                ON CONFLICT (room) DO NOTHING
                RETURNING {RoomColumns}
                """, new { room, kind, topic, creator }, tx).ConfigureAwait(false);
            if (created is null)
            {
                return null;
            }

            await db.ExecuteAsync("INSERT INTO room_members (room, user_id, role, added_at) VALUES (@room, @creator, 'owner', now())",
                new { room, creator }, tx).ConfigureAwait(false);
            await RoomsDatabase.AuditAsync(db, tx, room, creator, "room.create", null, null,
                $$"""{"kind": "{{kind}}"}""").ConfigureAwait(false);
            return created;
        });

    /// <summary>Changes the topic and/or slow mode; null when the room has no record.</summary>
    public Task<RoomRecord?> UpdateAsync(string room, bool setTopic, string? topic, int? slowModeSeconds, string actor, string detailsJson) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var updated = await db.QuerySingleOrDefaultAsync<RoomRecord?>($"""
                UPDATE rooms SET topic = CASE WHEN @setTopic THEN @topic ELSE topic END,
                                 slow_mode_seconds = coalesce(@slowModeSeconds, slow_mode_seconds)
                WHERE room = @room
                RETURNING {RoomColumns}
                """, new { room, setTopic, topic, slowModeSeconds }, tx).ConfigureAwait(false);
            if (updated is not null)
            {
                await RoomsDatabase.AuditAsync(db, tx, room, actor, "room.update", null, null, detailsJson).ConfigureAwait(false);
            }

            return updated;
        });

    /// <summary>
    /// The one direct room of two users: the pair is a unique key, so however many nodes race, one row is
    /// inserted and every caller reads it (docs/protocol.md §14.4).
    /// </summary>
    /// <returns>The room, and whether this call created it.</returns>
    public async Task<(RoomRecord Room, bool Created)> DirectAsync(string caller, string other)
    {
        var pair = string.CompareOrdinal(caller, other) < 0 ? (caller, other) : (other, caller);
        var key = DirectKey(caller, other);
        while (true)
        {
            var result = await database.InTransactionAsync(async (db, tx) =>
            {
                var created = await db.QuerySingleOrDefaultAsync<RoomRecord?>($"""
                    INSERT INTO rooms (room, last_seq, kind, created_at, dm_key)
                    VALUES (@room, 0, 'direct', now(), @key)
                    ON CONFLICT DO NOTHING
                    RETURNING {RoomColumns}
                    """, new { room = NewName("dm-"), key }, tx).ConfigureAwait(false);
                if (created is not null)
                {
                    await db.ExecuteAsync("""
                        INSERT INTO room_members (room, user_id, role, added_at)
                        VALUES (@room, @a, 'member', now()), (@room, @b, 'member', now())
                        """, new { room = created.Room, a = pair.Item1, b = pair.Item2 }, tx).ConfigureAwait(false);
                    return ((RoomRecord?)created, true);
                }

                var existing = await db.QuerySingleOrDefaultAsync<RoomRecord?>($"SELECT {RoomColumns} FROM rooms WHERE dm_key = @key",
                    new { key }, tx).ConfigureAwait(false);
                return (existing, false);
            }).ConfigureAwait(false);
            if (result.Item1 is { } room)
            {
                return (room, result.Item2);
            }

            // The random name was taken by another room (and the pair has no room yet): draw again.
        }
    }

    /// <summary>The direct room of two users when it exists.</summary>
    public Task<RoomRecord?> FindDirectAsync(string a, string b) =>
        database.ReadAsync(db => db.QuerySingleOrDefaultAsync<RoomRecord?>($"SELECT {RoomColumns} FROM rooms WHERE dm_key = @key",
            new { key = DirectKey(a, b) }));

    /// <summary>The pair of user ids in order, each told apart by its length: one key per pair.</summary>
    private static string DirectKey(string a, string b)
    {
        var (first, second) = string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);
        return $"{first.Length}:{first}|{second}";
    }

    /// <summary><paramref name="prefix"/> and 20 random letters or digits.</summary>
    public static string NewName(string prefix) =>
        prefix + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 20);

    private sealed record AccessRow(string? Kind, string? Topic, string? CreatedBy, DateTime? CreatedAt, int SlowModeSeconds,
        bool Exists, bool HasBans, bool HasMutes, string? Role, bool Banned, DateTime? BannedUntil, bool Muted, DateTime? MutedUntil);
}

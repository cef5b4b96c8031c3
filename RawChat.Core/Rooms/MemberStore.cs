using System.Data;
using Dapper;

namespace RawChat.Core.Rooms;

/// <summary>A member as the API shows it: the user's name is the one their last token carried (their id until then).</summary>
public sealed record Member(string Room, string UserId, string Name, string Role);

/// <summary>One of the caller's rooms, for <c>GET /api/me/rooms</c>.</summary>
public sealed record MyRoom(string Room, string Kind, string? Topic, string Role, long LastSeq, DateTime? LastMessageAt);

/// <summary>A membership change and the seq it happened after (docs/protocol.md §14.6).</summary>
public readonly record struct MemberChange<T>(T Result, long Seq);

/// <summary>Members of rooms in PostgreSQL (docs/protocol.md §14.3).</summary>
public sealed class MemberStore(RoomsDatabase database)
{
    private const string MemberColumns = "m.room AS Room, m.user_id AS UserId, coalesce(u.name, m.user_id) AS Name, m.role AS Role";

    /// <summary>The user's role in the room, read from PostgreSQL (not a cache): the decisions of the API rest on it.</summary>
    public Task<string?> RoleAsync(string room, string userId) =>
        database.ReadAsync(db => db.QuerySingleOrDefaultAsync<string?>(
            "SELECT role FROM room_members WHERE room = @room AND user_id = @userId", new { room, userId }));

    /// <summary>How many rooms the user is a member of.</summary>
    public Task<long> CountRoomsOfAsync(string userId) =>
        database.ReadAsync(db => db.ExecuteScalarAsync<long>("SELECT count(*) FROM room_members WHERE user_id = @userId", new { userId }));

    /// <summary>How many members the room has.</summary>
    public Task<long> CountMembersAsync(string room) =>
        database.ReadAsync(db => db.ExecuteScalarAsync<long>("SELECT count(*) FROM room_members WHERE room = @room", new { room }));

    /// <summary>A page of members by user id in byte order, after <paramref name="after"/>; one more than asked tells there are more.</summary>
    public async Task<(List<Member> Members, bool HasMore)> PageAsync(string room, string? after, int limit)
    {
        var rows = (await database.ReadAsync(db => db.QueryAsync<Member>($"""
            SELECT {MemberColumns} FROM room_members m LEFT JOIN users u ON u.user_id = m.user_id
            WHERE m.room = @room AND m.user_id COLLATE "C" > @after
            ORDER BY m.user_id COLLATE "C" LIMIT @take
            """, new { room, after = after ?? "", take = limit + 1 })).ConfigureAwait(false)).ToList();
        var hasMore = rows.Count > limit;
        return (hasMore ? rows[..limit] : rows, hasMore);
    }

    /// <summary>Adds a member; when already one, answers the membership as it stands (Created false).</summary>
    public Task<MemberChange<(Member Member, bool Created)>> AddAsync(string room, string userId, string role, string actor) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var seq = await RoomsDatabase.LastSeqLockedAsync(db, tx, room).ConfigureAwait(false);
            var inserted = await db.ExecuteAsync("""
                INSERT INTO room_members (room, user_id, role, added_at) VALUES (@room, @userId, @role, now())
                ON CONFLICT DO NOTHING
                """, new { room, userId, role }, tx).ConfigureAwait(false) == 1;
            if (inserted)
            {
                await RoomsDatabase.AuditAsync(db, tx, room, actor, "member.add", userId, null, $$"""{"role": "{{role}}"}""")
                    .ConfigureAwait(false);
            }

            return new MemberChange<(Member, bool)>((await ReadAsync(db, tx, room, userId).ConfigureAwait(false), inserted), seq);
        });

    /// <returns>false (and nothing changed) when the user was not a member.</returns>
    public Task<MemberChange<bool>> RemoveAsync(string room, string userId, string actor) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var seq = await RoomsDatabase.LastSeqLockedAsync(db, tx, room).ConfigureAwait(false);
            var removed = await db.ExecuteAsync("DELETE FROM room_members WHERE room = @room AND user_id = @userId",
                new { room, userId }, tx).ConfigureAwait(false) == 1;
            if (removed)
            {
                await RoomsDatabase.AuditAsync(db, tx, room, actor, "member.remove", userId, null).ConfigureAwait(false);
            }

            return new MemberChange<bool>(removed, seq);
        });

    /// <returns>The membership with its new role; null when the user is not a member.</returns>
    public Task<MemberChange<Member?>> SetRoleAsync(string room, string userId, string role, string actor) =>
        database.InTransactionAsync(async (db, tx) =>
        {
            var seq = await RoomsDatabase.LastSeqLockedAsync(db, tx, room).ConfigureAwait(false);
            var changed = await db.ExecuteAsync("UPDATE room_members SET role = @role WHERE room = @room AND user_id = @userId",
                new { room, userId, role }, tx).ConfigureAwait(false) == 1;
            if (!changed)
            {
                return new MemberChange<Member?>(null, seq);
            }

            await RoomsDatabase.AuditAsync(db, tx, room, actor, "member.role", userId, null, $$"""{"role": "{{role}}"}""")
                .ConfigureAwait(false);
            return new MemberChange<Member?>(await ReadAsync(db, tx, room, userId).ConfigureAwait(false), seq);
        });

    /// <summary>The user's rooms by name, after <paramref name="after"/>, with their last seq and last message time.</summary>
    public async Task<(List<MyRoom> Rooms, bool HasMore)> MyRoomsAsync(string userId, string? after, int limit)
    {
        var rows = (await database.ReadAsync(db => db.QueryAsync<MyRoom>("""
            SELECT r.room AS Room, r.kind AS Kind, r.topic AS Topic, m.role AS Role, r.last_seq AS LastSeq,
                   (SELECT created_at FROM messages WHERE room = r.room AND seq = r.last_seq) AS LastMessageAt
            FROM room_members m JOIN rooms r ON r.room = m.room
            WHERE m.user_id = @userId AND m.room COLLATE "C" > @after
            ORDER BY m.room COLLATE "C" LIMIT @take
            """, new { userId, after = after ?? "", take = limit + 1 })).ConfigureAwait(false)).ToList();
        var hasMore = rows.Count > limit;
        return (hasMore ? rows[..limit] : rows, hasMore);
    }

    private static Task<Member> ReadAsync(IDbConnection db, IDbTransaction tx, string room, string userId) =>
        db.QuerySingleAsync<Member>($"""
            SELECT {MemberColumns} FROM room_members m LEFT JOIN users u ON u.user_id = m.user_id
            WHERE m.room = @room AND m.user_id = @userId
            """, new { room, userId }, tx);
}

namespace RawChat.Core.Rooms;

/// <summary>
/// A room as PostgreSQL holds it. An implicit open room (no row, or a row its first message made) has
/// no creator. <see cref="Exists"/> is false for a name with no row at all.
/// </summary>
public sealed record RoomRecord(string Room, string Kind, string? Topic, string? CreatedBy, DateTime? CreatedAt,
    int SlowModeSeconds, bool Exists)
{
    public static RoomRecord Implicit(string room) => new(room, RoomKinds.Open, null, null, null, 0, Exists: false);

    /// <summary>Created through the API (it has owners), as opposed to an implicit open room.</summary>
    public bool IsCreated => CreatedBy is not null || Kind != RoomKinds.Open;
}

/// <summary>One user in one room: their role (null: not a member) and any ban or mute, with its end.</summary>
public sealed record UserStanding(string? Role, bool Banned, DateTime? BannedUntil, bool Muted, DateTime? MutedUntil)
{
    public static readonly UserStanding Nobody = new(null, false, null, false, null);

    public bool IsBanned(DateTime now) => Banned && (BannedUntil is null || BannedUntil > now);

    public bool IsMuted(DateTime now) => Muted && (MutedUntil is null || MutedUntil > now);
}

/// <summary>What a node caches of a room: the record, and whether any ban or mute exists (else users need no lookup).</summary>
public sealed record RoomPolicy(RoomRecord Record, bool HasBans, bool HasMutes)
{
    /// <summary>Anyone the token allows may read and post here without the user being looked up.</summary>
    public bool NeedsNoStanding => Record.Kind == RoomKinds.Open && !HasBans && !HasMutes && Record.SlowModeSeconds == 0;
}

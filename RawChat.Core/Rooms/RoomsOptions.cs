using System.ComponentModel.DataAnnotations;

namespace RawChat.Core.Rooms;

/// <summary>Rooms, members and moderation (section <c>Rooms</c>; docs/protocol.md §14).</summary>
public sealed class RoomsOptions
{
    public const string SectionName = "Rooms";

    /// <summary>A room name nobody created is an open room (as every room was before §14); off, it is <c>forbidden_room</c>.</summary>
    public bool ImplicitOpenRooms { get; set; } = true;

    /// <summary>
    /// Prefix of the Redis names rooms use: the control channel <c>{prefix}control</c> that announces every
    /// membership change to every node, and the slow-mode keys <c>{prefix}slow:…</c>.
    /// </summary>
    [Required]
    [MinLength(1)]
    public string KeyPrefix { get; set; } = "rawchat:rooms:";

    /// <summary>
    /// How long a node trusts what it read of a room's members, bans and mutes when no change was announced
    /// (a safety net: announced changes take effect at once).
    /// </summary>
    [Range(1, 86_400)]
    public int AccessCacheSeconds { get; set; } = 300;

    /// <summary>At most this many (room, user) entries are cached on a node; past it the cache starts again empty.</summary>
    [Range(100, 10_000_000)]
    public int AccessCacheEntries { get; set; } = 200_000;

    /// <summary>
    /// Rooms one user may be a member of: creating a room or a direct room, or being added, past it answers 409
    /// <c>too_many_rooms</c>. Bounds the rows one user can make.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxRoomsPerUser { get; set; } = 10_000;

    /// <summary>Members one room may have; adding one more answers 409 <c>room_full</c>.</summary>
    [Range(2, 10_000_000)]
    public int MaxMembersPerRoom { get; set; } = 100_000;

    /// <summary>Rooms API requests one user may make per second on one node (service tokens are not counted).</summary>
    [Range(1, 100_000)]
    public int ApiRequestsPerSecond { get; set; } = 20;

    /// <summary>Rooms API requests one user may make at once after a quiet while; beyond the budget: 429 <c>rate_limited</c>.</summary>
    [Range(1, 100_000)]
    public int ApiBurst { get; set; } = 60;
}

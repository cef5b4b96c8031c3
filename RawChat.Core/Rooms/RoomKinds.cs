namespace RawChat.Core.Rooms;

/// <summary>The kinds of room (docs/protocol.md §14.1), spelled as on the wire and in PostgreSQL.</summary>
public static class RoomKinds
{
    public const string Open = "open";
    public const string Private = "private";
    public const string Direct = "direct";
}

/// <summary>A member's role, from the most to the least power (docs/protocol.md §14.1).</summary>
public static class MemberRoles
{
    public const string Owner = "owner";
    public const string Moderator = "moderator";
    public const string Member = "member";

    public static bool IsValid(string? role) => role is Owner or Moderator or Member;

    /// <summary>Higher is more power; 0 for none (not a member).</summary>
    public static int Rank(string? role) => role switch
    {
        Owner => 3,
        Moderator => 2,
        Member => 1,
        _ => 0,
    };
}

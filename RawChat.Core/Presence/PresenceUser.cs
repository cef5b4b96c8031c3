namespace RawChat.Core.Presence;

/// <summary>Someone online in a room: the token's user id and display name.</summary>
public sealed record PresenceUser(string UserId, string Name);

/// <summary>What a presence event reports: a user's first socket entered the room, or their last left.</summary>
public enum PresenceChange
{
    Join,
    Leave,
}

namespace RawChat.Core.Auth;

/// <summary>Who a validated token speaks for.</summary>
public sealed record ChatUser(string UserId, string Name, RoomAccess Rooms, DateTime ExpiresAtUtc)
{
    /// <summary>
    /// The token carries the service claim (<c>Jwt:ServiceClaim</c>, JSON <c>true</c>): a backend that may
    /// publish over HTTP (<c>POST /api/rooms/{room}/messages</c>).
    /// </summary>
    public bool IsService { get; init; }
}

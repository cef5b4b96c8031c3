namespace RawChat.Core.Auth;

/// <summary>Who a validated token speaks for.</summary>
public sealed record ChatUser(string UserId, string Name, RoomAccess Rooms, DateTime ExpiresAtUtc);

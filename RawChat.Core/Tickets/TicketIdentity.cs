using System.Text.Json;
using RawChat.Core.Auth;

namespace RawChat.Core.Tickets;

/// <summary>
/// What a ticket stands for, as stored in Redis: the validated token's user id, name, <c>rooms</c> claim,
/// service flag and expiry — never the token itself.
/// </summary>
internal static class TicketIdentity
{
    public static byte[] Write(ChatUser user)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("userId", user.UserId);
            json.WriteString("name", user.Name);
            if (user.Rooms.Entries is { } rooms)
            {
                json.WriteStartArray("rooms");
                foreach (var room in rooms)
                {
                    json.WriteStringValue(room);
                }

                json.WriteEndArray();
            }

            json.WriteBoolean("service", user.IsService);
            json.WriteNumber("exp", new DateTimeOffset(user.ExpiresAtUtc, TimeSpan.Zero).ToUnixTimeMilliseconds());
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <returns>The user, or null for bytes this code did not write.</returns>
    public static ChatUser? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var rooms = root.TryGetProperty("rooms", out var list)
                ? new RoomAccess(list.EnumerateArray().Select(e => e.GetString()!))
                : RoomAccess.Unrestricted;
            var expires = DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("exp").GetInt64()).UtcDateTime;
            return new ChatUser(root.GetProperty("userId").GetString()!, root.GetProperty("name").GetString()!, rooms, expires)
            {
                IsService = root.GetProperty("service").GetBoolean(),
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }
}

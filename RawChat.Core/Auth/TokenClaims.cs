using System.Globalization;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using RawChat.Core.Protocol;

namespace RawChat.Core.Auth;

/// <summary>
/// Reads RawChat's claims from a token payload whose signature and lifetime are already checked:
/// SimpleJWT's <c>user_id</c> (a number or a string) or <c>sub</c>, the display name, <c>token_type</c>
/// and <c>rooms</c>. Reading the JSON directly keeps an empty <c>rooms</c> array meaning "no rooms".
/// </summary>
internal static class TokenClaims
{
    public static TokenValidationOutcome Read(string encodedPayload, DateTime expiresAtUtc, string serviceClaim)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
        var root = payload.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return TokenValidationOutcome.Invalid("malformed token");
        }

        if (root.TryGetProperty("token_type", out var tokenType)
            && !(tokenType.ValueKind == JsonValueKind.String && tokenType.GetString() == "access"))
        {
            return TokenValidationOutcome.Invalid("not an access token");
        }

        var userId = ScalarText(root, "user_id") ?? ScalarText(root, "sub");
        if (string.IsNullOrEmpty(userId))
        {
            return TokenValidationOutcome.Invalid("token names no user (user_id or sub)");
        }

        var name = NonEmptyString(root, "name") ?? NonEmptyString(root, "username")
            ?? NonEmptyString(root, "preferred_username") ?? userId;
        if (!IsIdentityText(userId) || !IsIdentityText(name))
        {
            // Both are stored with every message and sent to every member: refuse at connect what
            // PostgreSQL could not store (U+0000, an unpaired surrogate) or what is absurdly long.
            return TokenValidationOutcome.Invalid("the token's user id or name is not acceptable text");
        }

        var rooms = RoomAccess.Unrestricted;
        if (root.TryGetProperty("rooms", out var roomsClaim))
        {
            if (roomsClaim.ValueKind != JsonValueKind.Array
                || roomsClaim.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                return TokenValidationOutcome.Invalid("rooms claim must be an array of room names");
            }

            rooms = new RoomAccess(roomsClaim.EnumerateArray().Select(e => e.GetString()!));
        }

        // Only the JSON value true makes a service token: "true", 1 or an object do not.
        var isService = root.TryGetProperty(serviceClaim, out var service) && service.ValueKind == JsonValueKind.True;
        return TokenValidationOutcome.Valid(new ChatUser(userId, name, rooms, expiresAtUtc) { IsService = isService });
    }

    /// <summary>The longest user id or display name, in code points (Django's usernames stop at 150).</summary>
    internal const int MaxIdentityLength = 256;

    private static bool IsIdentityText(string text) =>
        MessageText.IsStorable(text) && MessageText.CodePointLength(text) <= MaxIdentityLength;

    private static string? ScalarText(JsonElement root, string claim)
    {
        if (!root.TryGetProperty(claim, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number when value.TryGetInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
    }

    private static string? NonEmptyString(JsonElement root, string claim) =>
        root.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RawChat.Bench.Load;

namespace RawChat.Tests.Support;

/// <summary>
/// Builds JWTs byte by byte, so tests control every header field and claim — including the
/// hostile ones (alg none, wrong key, refresh tokens) that a token library would refuse to make.
/// The compact form comes from RawChat.Bench's CompactJws, which the load tool mints with too.
/// </summary>
public static class TestTokens
{
    public const string Secret = "rawchat-test-secret-0123456789abcdef0123456789abcdef";

    /// <summary>A valid SimpleJWT-shaped access token for <paramref name="userId"/>.</summary>
    public static string For(string userId, string? name = null, string[]? rooms = null,
        TimeSpan? lifetime = null, IDictionary<string, object?>? extraClaims = null, string secret = Secret)
    {
        var claims = Claims(userId, name, rooms, lifetime);
        if (extraClaims is not null)
        {
            foreach (var (key, value) in extraClaims)
            {
                claims[key] = value;
            }
        }

        return SignHs256(claims, secret);
    }

    /// <summary>A backend's token: <see cref="For"/> plus the default service claim, <c>rawchat_service: true</c>.</summary>
    public static string Service(string userId, string? name = null, string[]? rooms = null) =>
        For(userId, name, rooms, extraClaims: new Dictionary<string, object?> { ["rawchat_service"] = true });

    /// <summary>The standard claims of a SimpleJWT access token.</summary>
    public static Dictionary<string, object?> Claims(string userId, string? name = null, string[]? rooms = null, TimeSpan? lifetime = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["token_type"] = "access",
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["user_id"] = long.TryParse(userId, out var numeric) ? numeric : userId,
        };
        if (name is not null)
        {
            claims["name"] = name;
        }

        if (rooms is not null)
        {
            claims["rooms"] = rooms;
        }

        return claims;
    }

    /// <summary>A token whose payload is exactly <paramref name="payloadJson"/> (text no serializer would write).</summary>
    public static string SignHs256Json(string payloadJson, string secret = Secret) =>
        CompactJws.SignHs256(Encoding.UTF8.GetBytes(payloadJson), Encoding.UTF8.GetBytes(secret));

    public static string SignHs256(IDictionary<string, object?> claims, string secret = Secret) =>
        CompactJws.SignHs256(JsonSerializer.SerializeToUtf8Bytes(claims), Encoding.UTF8.GetBytes(secret));

    public static string SignRs256(IDictionary<string, object?> claims, RSA key) =>
        Sign(new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "JWT" }, claims,
            data => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>Any header, any signature function (null: an empty signature, as with alg none).</summary>
    public static string Sign(IDictionary<string, object?> header, IDictionary<string, object?> claims, Func<byte[], byte[]>? signer) =>
        CompactJws.Sign(JsonSerializer.SerializeToUtf8Bytes(header), JsonSerializer.SerializeToUtf8Bytes(claims), signer);
}

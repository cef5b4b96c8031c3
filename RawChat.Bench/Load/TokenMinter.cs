using System.Text;
using System.Text.Json;

namespace RawChat.Bench.Load;

/// <summary>
/// Mints HS256 access tokens shaped like SimpleJWT's (the claims of RawChat.Tests' TestTokens.Claims),
/// one user per connection so the per-user connection limit never bites.
/// </summary>
internal sealed class TokenMinter(string secret, TimeSpan lifetime)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    public string Mint(string userId, string name)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = JsonSerializer.SerializeToUtf8Bytes(
            new TokenClaims("access", userId, name, now, now + (long)lifetime.TotalSeconds),
            TokenJsonContext.Default.TokenClaims);
        return CompactJws.SignHs256(claims, _key);
    }

    /// <summary>
    /// A backend's token: the same claims plus <paramref name="serviceClaim"/> set to JSON <c>true</c>
    /// (docs/protocol.md §4; the server's <c>Jwt:ServiceClaim</c>, <c>rawchat_service</c> by default).
    /// </summary>
    public string MintService(string userId, string name, string serviceClaim)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("token_type", "access");
            json.WriteString("user_id", userId);
            json.WriteString("name", name);
            json.WriteNumber("iat", now);
            json.WriteNumber("exp", now + (long)lifetime.TotalSeconds);
            json.WriteBoolean(serviceClaim, true);
            json.WriteEndObject();
        }

        return CompactJws.SignHs256(buffer.ToArray(), _key);
    }
}

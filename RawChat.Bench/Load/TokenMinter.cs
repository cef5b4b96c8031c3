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
}

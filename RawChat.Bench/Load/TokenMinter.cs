using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RawChat.Bench.Load;

/// <summary>
/// Mints HS256 access tokens shaped like SimpleJWT's (as RawChat.Tests' TestTokens does), one user
/// per connection so the per-user connection limit never bites.
/// </summary>
internal sealed class TokenMinter(string secret, TimeSpan lifetime)
{
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"HS256","typ":"JWT"}"""u8);
    private readonly byte[] _key = Encoding.UTF8.GetBytes(secret);

    public string Mint(string userId, string name)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = JsonSerializer.SerializeToUtf8Bytes(
            new TokenClaims("access", userId, name, now, now + (long)lifetime.TotalSeconds),
            TokenJsonContext.Default.TokenClaims);
        var signingInput = $"{Header}.{Base64Url.EncodeToString(claims)}";
        var signature = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }
}

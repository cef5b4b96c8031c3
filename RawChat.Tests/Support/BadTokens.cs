using System.Security.Cryptography;
using System.Text;

namespace RawChat.Tests.Support;

/// <summary>
/// The refusal ladder: every way a bearer token is wrong that each authenticated entry point (the
/// handshake, the messages API, the publish API, tickets) must refuse 401 <c>invalid_token</c>.
/// One list, so a new fault is tested everywhere at once.
/// </summary>
public static class BadTokens
{
    private const string OtherSecret = "some-other-secret-0123456789abcdef0123456789";

    private static readonly RSA ForeignKey = RSA.Create(2048);

    /// <summary>The faults, for <c>[TestCaseSource(typeof(BadTokens), nameof(BadTokens.Faults))]</c>.</summary>
    public static readonly string[] Faults =
    [
        "missing",
        "not a jwt",
        "three garbage parts",
        "bad signature",
        "tampered payload",
        "alg none",
        "alg none with a signature",
        "HS512",
        "expired 60 s ago",
        "nbf 120 s ahead",
        "no exp",
        "refresh token",
        "RS256 on an HS256 node",
    ];

    /// <summary>
    /// A token with <paramref name="fault"/>, otherwise made of <paramref name="claims"/> (a sound token's:
    /// the fault is the only reason to refuse it); null for "missing".
    /// </summary>
    public static string? Make(string fault, IDictionary<string, object?>? claims = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var faulty = new Dictionary<string, object?>(claims ?? TestTokens.Claims("401", "mallory"));
        switch (fault)
        {
            case "missing":
                return null;
            case "not a jwt":
                return "not-a-jwt-but-a-secret-looking-string";
            case "three garbage parts":
                return "Z2FyYmFnZQ.Z2FyYmFnZQ.Z2FyYmFnZQ";
            case "bad signature":
                return TestTokens.SignHs256(faulty, OtherSecret);
            case "tampered payload":
                var parts = TestTokens.SignHs256(faulty).Split('.');
                var admin = TestTokens.SignHs256(TestTokens.Claims("1", "admin")).Split('.');
                return $"{parts[0]}.{admin[1]}.{parts[2]}";
            case "alg none":
                return TestTokens.Sign(Header("none"), faulty, null);
            case "alg none with a signature":
                return TestTokens.Sign(Header("none"), faulty, data => HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestTokens.Secret), data));
            case "HS512":
                return TestTokens.Sign(Header("HS512"), faulty, data => HMACSHA512.HashData(Encoding.UTF8.GetBytes(TestTokens.Secret), data));
            case "expired 60 s ago":
                faulty["exp"] = now - 60;
                faulty["iat"] = now - 3600;
                return TestTokens.SignHs256(faulty);
            case "nbf 120 s ahead":
                faulty["nbf"] = now + 120;
                return TestTokens.SignHs256(faulty);
            case "no exp":
                faulty.Remove("exp");
                return TestTokens.SignHs256(faulty);
            case "refresh token":
                faulty["token_type"] = "refresh";
                return TestTokens.SignHs256(faulty);
            case "RS256 on an HS256 node":
                return TestTokens.SignRs256(faulty, ForeignKey);
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, "unknown fault");
        }
    }

    private static Dictionary<string, object?> Header(string alg) => new() { ["alg"] = alg, ["typ"] = "JWT" };
}

using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Core.Auth;
using RawChat.Tests.Support;

namespace RawChat.Tests.Unit;

/// <summary>docs/protocol.md §4, checked on <see cref="TokenValidator"/> alone.</summary>
public sealed class TokenValidatorTests
{
    private static readonly TokenValidator Hs256 = Validator(new JwtOptions { Secret = TestTokens.Secret });

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [Test]
    public async Task Hs256_token_signed_with_the_secret_is_accepted()
    {
        var outcome = await Hs256.ValidateAsync(TestTokens.For("7", "alice", lifetime: TimeSpan.FromMinutes(5)));

        Assert.That(outcome.FailureDetail, Is.Null);
        Assert.That(outcome.User, Is.Not.Null);
        Assert.That(outcome.User!.UserId, Is.EqualTo("7"));
        Assert.That(outcome.User.Name, Is.EqualTo("alice"));
        Assert.That(outcome.User.ExpiresAtUtc, Is.EqualTo(DateTime.UtcNow.AddMinutes(5)).Within(TimeSpan.FromSeconds(30)));
        Assert.That(outcome.User.Rooms.Allows("any-room"), Is.True, "no rooms claim: every room");
    }

    // Escaped here, unescaped in the test: test arguments end up in the results file, which cannot hold U+0000.
    [TestCase("7", @"ali\u0000ce", TestName = "{m}(name holding U+0000)")]
    [TestCase(@"u\u0000", "alice", TestName = "{m}(user id holding U+0000)")]
    [TestCase("7", null, TestName = "{m}(name too long)")]
    public async Task Token_naming_a_user_with_text_that_cannot_be_stored_is_refused(string userId, string? name)
    {
        var token = TestTokens.For(Regex.Unescape(userId), name is null ? new string('n', 257) : Regex.Unescape(name));

        var outcome = await Hs256.ValidateAsync(token);

        Assert.That(outcome.User, Is.Null);
        Assert.That(outcome.FailureDetail, Is.EqualTo("the token's user id or name is not acceptable text"));
    }

    [Test]
    public async Task Token_naming_a_user_with_an_unpaired_surrogate_is_refused()
    {
        // What Python's json.dumps writes for a str holding a lone surrogate.
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var token = TestTokens.SignHs256Json($$"""{"token_type":"access","exp":{{exp}},"user_id":7,"name":"ali\ud800ce"}""");

        // IdentityModel itself may refuse such a payload first; either way the token opens nothing.
        await AssertRefusedAsync(Hs256, token);
    }

    [Test]
    public async Task A_token_longer_than_8192_characters_is_refused_unread()
    {
        var claims = TestTokens.Claims("7", "alice");
        claims["padding"] = new string('p', 8192);
        var token = TestTokens.SignHs256(claims);

        var outcome = await Hs256.ValidateAsync(token);

        Assert.That(token, Has.Length.GreaterThan(8192), "a validly signed token, only too long");
        Assert.That(outcome.User, Is.Null);
        Assert.That(outcome.FailureDetail, Is.EqualTo("token too long"));
    }

    [Test]
    public async Task Name_of_256_characters_with_emoji_is_accepted()
    {
        var name = string.Concat(Enumerable.Repeat("😀", 256));

        var outcome = await Hs256.ValidateAsync(TestTokens.For("7", name));

        Assert.That(outcome.User?.Name, Is.EqualTo(name));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not-a-jwt")]
    [TestCase("a.b.c")]
    [TestCase("a.b")]
    public async Task Missing_or_malformed_token_is_refused(string? token)
    {
        await AssertRefusedAsync(Hs256, token);
    }

    [Test]
    public async Task Alg_none_is_refused()
    {
        var header = new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" };
        await AssertRefusedAsync(Hs256, TestTokens.Sign(header, TestTokens.Claims("7"), null));
        await AssertRefusedAsync(Hs256, TestTokens.Sign(header, TestTokens.Claims("7"),
            data => HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestTokens.Secret), data)));
    }

    [Test]
    public async Task Algorithm_outside_the_allow_list_is_refused_even_with_the_right_secret()
    {
        var header = new Dictionary<string, object?> { ["alg"] = "HS512", ["typ"] = "JWT" };
        await AssertRefusedAsync(Hs256, TestTokens.Sign(header, TestTokens.Claims("7"),
            data => HMACSHA512.HashData(Encoding.UTF8.GetBytes(TestTokens.Secret), data)));
    }

    [Test]
    public async Task Token_signed_with_another_secret_is_refused()
    {
        await AssertRefusedAsync(Hs256, TestTokens.For("7", secret: "another-secret-0123456789abcdef0123456789"));
    }

    [Test]
    public async Task Token_with_a_tampered_payload_is_refused()
    {
        var parts = TestTokens.For("7", "alice").Split('.');
        var other = TestTokens.For("1", "admin").Split('.');
        await AssertRefusedAsync(Hs256, $"{parts[0]}.{other[1]}.{parts[2]}");
    }

    [TestCase("refresh")]
    [TestCase("sliding")]
    public async Task Token_type_other_than_access_is_refused(string tokenType)
    {
        await AssertRefusedAsync(Hs256, TestTokens.For("7", extraClaims: new Dictionary<string, object?> { ["token_type"] = tokenType }));
    }

    [Test]
    public async Task Token_without_a_token_type_is_accepted()
    {
        var claims = TestTokens.Claims("7");
        claims.Remove("token_type");
        await AssertAcceptedAsync(Hs256, TestTokens.SignHs256(claims));
    }

    [Test]
    public async Task Token_without_exp_is_refused()
    {
        var claims = TestTokens.Claims("7");
        claims.Remove("exp");
        await AssertRefusedAsync(Hs256, TestTokens.SignHs256(claims));
    }

    [Test]
    public async Task Clock_skew_is_honoured_for_exp()
    {
        var skew30 = Validator(new JwtOptions { Secret = TestTokens.Secret, ClockSkewSeconds = 30 });
        var noSkew = Validator(new JwtOptions { Secret = TestTokens.Secret, ClockSkewSeconds = 0 });

        await AssertAcceptedAsync(skew30, WithClaim("exp", Now - 10));
        await AssertRefusedAsync(skew30, WithClaim("exp", Now - 60));
        await AssertRefusedAsync(noSkew, WithClaim("exp", Now - 10));
    }

    [Test]
    public async Task Clock_skew_is_honoured_for_nbf()
    {
        var skew30 = Validator(new JwtOptions { Secret = TestTokens.Secret, ClockSkewSeconds = 30 });

        await AssertAcceptedAsync(skew30, WithClaim("nbf", Now + 10));
        await AssertRefusedAsync(skew30, WithClaim("nbf", Now + 60));
    }

    [Test]
    public void Clock_skew_is_the_configured_one()
    {
        Assert.That(Validator(new JwtOptions { Secret = TestTokens.Secret, ClockSkewSeconds = 45 }).ClockSkew,
            Is.EqualTo(TimeSpan.FromSeconds(45)));
        Assert.That(Validator(new JwtOptions { Secret = TestTokens.Secret }).ClockSkew, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public async Task User_id_number_becomes_its_decimal_text()
    {
        var user = await AssertAcceptedAsync(Hs256, WithClaim("user_id", 42L));
        Assert.That(user.UserId, Is.EqualTo("42"));
    }

    [Test]
    public async Task User_id_string_is_kept_and_wins_over_sub()
    {
        var claims = TestTokens.Claims("u-42");
        claims["sub"] = "other";
        var user = await AssertAcceptedAsync(Hs256, TestTokens.SignHs256(claims));
        Assert.That(user.UserId, Is.EqualTo("u-42"));
    }

    [Test]
    public async Task Sub_is_the_user_id_without_user_id()
    {
        var claims = TestTokens.Claims("0");
        claims.Remove("user_id");
        claims["sub"] = "sub-9";
        var user = await AssertAcceptedAsync(Hs256, TestTokens.SignHs256(claims));
        Assert.That(user.UserId, Is.EqualTo("sub-9"));
    }

    private static IEnumerable<TestCaseData> NameCases()
    {
        yield return new TestCaseData(new[] { "name", "username", "preferred_username" }, "the-name").SetName("Name_claim_comes_first");
        yield return new TestCaseData(new[] { "username", "preferred_username" }, "the-username").SetName("Username_comes_after_name");
        yield return new TestCaseData(new[] { "preferred_username" }, "the-preferred_username").SetName("Preferred_username_comes_after_username");
        yield return new TestCaseData(Array.Empty<string>(), "55").SetName("User_id_is_the_name_without_any_name_claim");
    }

    [TestCaseSource(nameof(NameCases))]
    public async Task Display_name_fallback_order(string[] present, string expected)
    {
        var claims = TestTokens.Claims("55");
        foreach (var claim in present)
        {
            claims[claim] = $"the-{claim}";
        }

        var user = await AssertAcceptedAsync(Hs256, TestTokens.SignHs256(claims));

        Assert.That(user.Name, Is.EqualTo(expected));
    }

    [Test]
    public async Task Rooms_claim_lists_exact_names_and_prefixes()
    {
        var user = await AssertAcceptedAsync(Hs256, TestTokens.For("7", rooms: ["lobby", "team-*"]));

        Assert.That(user.Rooms.Allows("lobby"), Is.True);
        Assert.That(user.Rooms.Allows("team-a"), Is.True);
        Assert.That(user.Rooms.Allows("teamx"), Is.False);
        Assert.That(user.Rooms.Allows("Lobby"), Is.False);
        Assert.That(user.Rooms.Allows("lobby2"), Is.False);
    }

    [Test]
    public async Task Empty_rooms_array_allows_no_room()
    {
        var user = await AssertAcceptedAsync(Hs256, TestTokens.For("7", rooms: []));

        Assert.That(user.Rooms.Allows("lobby"), Is.False);
        Assert.That(user.Rooms.Allows("a"), Is.False);
    }

    [TestCase("a string")]
    [TestCase("numbers")]
    [TestCase("mixed")]
    [TestCase("an object")]
    [TestCase("null")]
    public async Task Rooms_claim_must_be_an_array_of_strings(string shape)
    {
        object? rooms = shape switch
        {
            "a string" => "lobby",
            "numbers" => new[] { 1, 2 },
            "mixed" => new object[] { "lobby", 3 },
            "an object" => new Dictionary<string, string> { ["lobby"] = "yes" },
            _ => null,
        };

        await AssertRefusedAsync(Hs256, WithClaim("rooms", rooms));
    }

    [Test]
    public async Task Issuer_and_audience_are_checked_when_configured()
    {
        var strict = Validator(new JwtOptions { Secret = TestTokens.Secret, Issuer = "https://issuer.example", Audience = "rawchat" });
        Dictionary<string, object?> Claims(string? issuer, string? audience)
        {
            var claims = TestTokens.Claims("7");
            if (issuer is not null)
            {
                claims["iss"] = issuer;
            }

            if (audience is not null)
            {
                claims["aud"] = audience;
            }

            return claims;
        }

        await AssertAcceptedAsync(strict, TestTokens.SignHs256(Claims("https://issuer.example", "rawchat")));
        await AssertRefusedAsync(strict, TestTokens.SignHs256(Claims("https://evil.example", "rawchat")));
        await AssertRefusedAsync(strict, TestTokens.SignHs256(Claims("https://issuer.example", "other")));
        await AssertRefusedAsync(strict, TestTokens.SignHs256(Claims(null, "rawchat")));
        await AssertRefusedAsync(strict, TestTokens.SignHs256(Claims("https://issuer.example", null)));
    }

    [Test]
    public async Task Rs256_is_accepted_with_the_public_key_and_refused_with_only_a_secret()
    {
        using var rsa = RSA.Create(2048);
        var token = TestTokens.SignRs256(TestTokens.Claims("7"), rsa);

        await AssertAcceptedAsync(Validator(new JwtOptions { PublicKeyPem = rsa.ExportSubjectPublicKeyInfoPem() }), token);
        await AssertRefusedAsync(Hs256, token);
    }

    [Test]
    public async Task Rsa_algorithms_other_than_rs256_are_refused_even_when_signed_by_the_configured_key()
    {
        using var rsa = RSA.Create(2048);
        var validator = Validator(new JwtOptions { PublicKeyPem = rsa.ExportSubjectPublicKeyInfoPem() });

        await AssertRefusedAsync(validator, TestTokens.Sign(new Dictionary<string, object?> { ["alg"] = "PS256", ["typ"] = "JWT" },
            TestTokens.Claims("7"), data => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss)));
        await AssertRefusedAsync(validator, TestTokens.Sign(new Dictionary<string, object?> { ["alg"] = "RS512", ["typ"] = "JWT" },
            TestTokens.Claims("7"), data => rsa.SignData(data, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1)));
    }

    [Test]
    public async Task Es256_is_accepted_with_the_public_key()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = TestTokens.Sign(new Dictionary<string, object?> { ["alg"] = "ES256", ["typ"] = "JWT" }, TestTokens.Claims("7"),
            data => ec.SignData(data, HashAlgorithmName.SHA256));

        await AssertAcceptedAsync(Validator(new JwtOptions { PublicKeyPem = ec.ExportSubjectPublicKeyInfoPem() }), token);
    }

    [Test]
    public async Task Hs256_keyed_with_the_public_key_pem_is_refused_when_a_secret_and_a_key_are_configured()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();
        var both = Validator(new JwtOptions { Secret = TestTokens.Secret, PublicKeyPem = pem });

        await AssertRefusedAsync(both, TestTokens.SignHs256(TestTokens.Claims("7"), pem));
        await AssertAcceptedAsync(both, TestTokens.SignHs256(TestTokens.Claims("7")));
        await AssertAcceptedAsync(both, TestTokens.SignRs256(TestTokens.Claims("7"), rsa));
    }

    [Test]
    public async Task Hs256_keyed_with_the_public_key_pem_is_refused_when_only_the_key_is_configured()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportSubjectPublicKeyInfoPem();

        await AssertRefusedAsync(Validator(new JwtOptions { PublicKeyPem = pem }), TestTokens.SignHs256(TestTokens.Claims("7"), pem));
    }

    [Test]
    public async Task Failure_detail_never_quotes_the_token()
    {
        var tokens = new[]
        {
            TestTokens.For("7", secret: "another-secret-0123456789abcdef0123456789"),
            TestTokens.For("7", lifetime: TimeSpan.FromSeconds(-120)),
            TestTokens.Sign(new Dictionary<string, object?> { ["alg"] = "none" }, TestTokens.Claims("7"), null),
            "not-a-jwt-at-all-but-secret",
        };
        foreach (var token in tokens)
        {
            var outcome = await Hs256.ValidateAsync(token);
            Assert.That(outcome.User, Is.Null);
            foreach (var piece in token.Split('.').Where(p => p.Length >= 8).Append(token))
            {
                Assert.That(outcome.FailureDetail, Does.Not.Contain(piece));
            }
        }
    }

    private static TokenValidator Validator(JwtOptions options) => new(Options.Create(options));

    private static string WithClaim(string claim, object? value)
    {
        var claims = TestTokens.Claims("7");
        claims[claim] = value;
        return TestTokens.SignHs256(claims);
    }

    private static async Task<ChatUser> AssertAcceptedAsync(TokenValidator validator, string token)
    {
        var outcome = await validator.ValidateAsync(token);
        Assert.That(outcome.User, Is.Not.Null, $"refused: {outcome.FailureDetail}");
        return outcome.User!;
    }

    private static async Task AssertRefusedAsync(TokenValidator validator, string? token)
    {
        var outcome = await validator.ValidateAsync(token);
        Assert.That(outcome.User, Is.Null, "accepted");
        Assert.That(outcome.FailureDetail, Is.Not.Null.And.Not.Empty);
    }
}

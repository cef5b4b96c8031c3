using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api;
using RawChat.Core.Auth;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// Tokens as identity providers issue them: RS256 keys published as a JWKS (read, cached, re-read when
/// the provider rotates), and Django REST framework SimpleJWT access tokens, accepted unchanged.
/// </summary>
public sealed class IdentityProviderTokenTests
{
    /// <summary>
    /// The SimpleJWT test vector: made once, outside RawChat, with PyJWT 2.6.0 (Debian's python3-jwt),
    /// exactly as SimpleJWT 5's <c>AccessToken.for_user(user)</c> builds a token for a user whose id is
    /// 42 — payload <c>{"token_type": "access"}</c>, then <c>exp</c>, <c>iat</c>, <c>jti</c> (uuid4 hex),
    /// then <c>user_id</c> — and <c>TokenBackend.encode</c> signs it:
    /// <code>
    /// import jwt
    /// jwt.encode({"token_type": "access", "exp": 4102444800, "iat": 1764086400,
    ///             "jti": "9f4c2d7e8b1a4c3f9e6d5b4a3c2b1a09", "user_id": 42},
    ///            "django-insecure-rawchat-simplejwt-test-vector-6f1c2b9e", algorithm="HS256")
    /// </code>
    /// Header <c>{"alg":"HS256","typ":"JWT"}</c>; exp is 2100-01-01. <see cref="SimpleJwtRefreshToken"/> is
    /// the same with <c>"token_type": "refresh"</c> and jti <c>0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e</c>.
    /// </summary>
    private const string SimpleJwtAccessToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        + "eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE3NjQwODY0MDAsImp0aSI6IjlmNGMyZDdlOGIxYTRjM2Y5ZTZkNWI0YTNjMmIxYTA5IiwidXNlcl9pZCI6NDJ9."
        + "vyVntZb3U7OY0UbsOvU57FTYZFWntQfcDdBuU_uznr0";

    private const string SimpleJwtRefreshToken =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        + "eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6NDEwMjQ0NDgwMCwiaWF0IjoxNzY0MDg2NDAwLCJqdGkiOiIwYjFjMmQzZTRmNWE2YjdjOGQ5ZTBmMWEyYjNjNGQ1ZSIsInVzZXJfaWQiOjQyfQ."
        + "sgB_A6Po9X1r03llnYihdkmAZdhmvgHUGW32cDgekdg";

    private const string Issuer = "https://idp.example.com/";

    private const string Audience = "rawchat";

    private const string DjangoSecretKey = "django-insecure-rawchat-simplejwt-test-vector-6f1c2b9e";

    // ---- SimpleJWT --------------------------------------------------------------------------------

    [Test]
    public async Task SimpleJWT_access_token_is_accepted_unchanged_by_a_node_with_the_same_secret()
    {
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?> { ["Jwt:Secret"] = DjangoSecretKey });
        var room = Rooms.Unique("django");

        await using var client = await node.ConnectAsync(SimpleJwtAccessToken, path: $"/ws/chat/{room}/");
        await client.SendAsync(new { message = "hello from Django" });
        var frame = await client.ReceiveTypeAsync("message");

        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("42"));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("42"), "no name claim: the user id");
        var refresh = await Handshake.SendAsync(node, $"/ws/chat/{room}?token={SimpleJwtRefreshToken}");
        Assert.That(refresh.Status, Is.EqualTo(HttpStatusCode.Unauthorized), "a SimpleJWT refresh token is not an access token");
        var otherSecret = new TokenValidator(Options.Create(new JwtOptions { Secret = TestTokens.Secret }));
        Assert.That((await otherSecret.ValidateAsync(SimpleJwtAccessToken)).User, Is.Null, "the vector is really signed with the Django key");
    }

    // ---- JWKS -------------------------------------------------------------------------------------

    [Test]
    public async Task Jwks_key_one_is_accepted_then_after_rotation_key_two_and_an_unknown_key_is_refused()
    {
        await using var idp = await JwksServer.StartAsync();
        using var key1 = RSA.Create(2048);
        using var key2 = RSA.Create(2048);
        using var stranger = RSA.Create(2048);
        idp.Publish(("key-1", key1));
        await using var node = await ChatNode.StartAsync(JwksSettings(idp.Url));
        var room = Rooms.Unique("oidc");

        await using (var first = await node.ConnectAsync(JwksServer.SignRs256(OidcClaims("auth0|201", "olga"), key1, "key-1"),
            path: $"/ws/chat/{room}"))
        {
            await first.SendAsync(new { message = "signed with key 1" });
            var frame = await first.ReceiveTypeAsync("message");
            Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("auth0|201"));
            Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("olga"));
        }

        Assert.That(idp.Reads, Is.EqualTo(1));

        idp.Publish(("key-2", key2));
        await using (var second = await node.ConnectAsync(JwksServer.SignRs256(OidcClaims("auth0|202"), key2, "key-2"),
            path: $"/ws/chat/{room}"))
        {
            await second.ExpectNothingPendingAsync();
        }

        Assert.That(idp.Reads, Is.EqualTo(2), "the unknown kid made the node read the JWKS again, once");

        foreach (var (token, what) in new[]
        {
            (JwksServer.SignRs256(OidcClaims("auth0|203"), stranger, "key-3"), "an unknown key under an unknown kid"),
            (JwksServer.SignRs256(OidcClaims("auth0|203"), stranger, "key-2"), "an unknown key under a known kid"),
            (TestTokens.For("203"), "HS256, with no secret configured"),
        })
        {
            var refused = await Handshake.SendAsync(node, $"/ws/chat/{room}?token={token}");
            Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized), what);
            Assert.That(refused.Error, Is.EqualTo("invalid_token"), what);
        }

        Assert.That(idp.Reads, Is.EqualTo(2), "unknown kids right after a read do not make the node read again");
        using var http = node.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/rooms/{room}/messages");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JwksServer.SignRs256(OidcClaims("auth0|204"), key2, "key-2"));
        Assert.That((await http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the messages API uses the same keys");
    }

    [Test]
    public async Task Node_whose_jwks_cannot_be_read_answers_503_unavailable_not_401()
    {
        using var key = RSA.Create(2048);
        var settings = JwksSettings($"http://127.0.0.1:{FreePort.Next()}/.well-known/jwks.json");
        settings["Jwt:Secret"] = TestTokens.Secret;
        await using var node = await ChatNode.StartAsync(settings);
        var token = JwksServer.SignRs256(OidcClaims("auth0|205"), key, "key-1");

        var refused = await Handshake.SendAsync(node, $"/ws/chat/lobby?token={token}");

        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(refused.Error, Is.EqualTo("unavailable"));
        Assert.That(refused.Response.Headers.RetryAfter, Is.Not.Null);
        // With a JWKS the issuer and audience apply to every token, the secret's too.
        await using var client = await node.ConnectAsync(TestTokens.For("206",
            extraClaims: new Dictionary<string, object?> { ["iss"] = Issuer, ["aud"] = Audience }));
        await client.ExpectNothingPendingAsync();
    }

    // ---- settings ---------------------------------------------------------------------------------

    [TestCase("ftp://idp.example.com/jwks.json", "60", "Jwt:JwksUrl")]
    [TestCase("/relative/jwks.json", "60", "Jwt:JwksUrl")]
    [TestCase("http://idp.example.com/jwks.json", "60", "Jwt:JwksUrl")]
    [TestCase("https://idp.example.com/jwks.json", "4", "Jwt:JwksRefreshMinutes")]
    [TestCase("https://idp.example.com/jwks.json", "1441", "Jwt:JwksRefreshMinutes")]
    public async Task Bad_jwks_setting_stops_start_up_naming_it(string url, string minutes, string named)
    {
        var settings = JwksSettings(url);
        settings["Jwt:JwksRefreshMinutes"] = minutes;
        var app = ChatNode.Build(await ChatNode.DefaultSettingsAsync(settings));
        await using var _ = app;

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.ValidateChatOptions());
        Assert.That(error!.Message, Does.Contain(named));
    }

    [TestCase("https://idp.example.com/.well-known/jwks.json")]
    [TestCase("http://127.0.0.1:9000/jwks.json")]
    [TestCase("http://localhost:9000/jwks.json")]
    [TestCase("http://[::1]:9000/jwks.json")]
    public async Task Jwks_url_with_an_issuer_and_an_audience_is_enough_to_start(string url)
    {
        var app = ChatNode.Build(await ChatNode.DefaultSettingsAsync(JwksSettings(url)));
        await using var _ = app;

        Assert.DoesNotThrow(() => app.Services.ValidateChatOptions());
    }

    [TestCase(null, null, "Jwt:Issuer and Jwt:Audience")]
    [TestCase(null, Audience, "Jwt:Issuer")]
    [TestCase(Issuer, null, "Jwt:Audience")]
    [TestCase(Issuer, " ", "Jwt:Audience")]
    public async Task Jwks_url_without_an_issuer_or_an_audience_stops_start_up_naming_what_is_missing(
        string? issuer, string? audience, string named)
    {
        var settings = JwksSettings("https://idp.example.com/.well-known/jwks.json");
        settings["Jwt:Issuer"] = issuer;
        settings["Jwt:Audience"] = audience;
        var app = ChatNode.Build(await ChatNode.DefaultSettingsAsync(settings));
        await using var _ = app;

        var error = Assert.Throws<OptionsValidationException>(() => app.Services.ValidateChatOptions());
        Assert.That(error!.Message, Does.Contain(named + " must be set with Jwt:JwksUrl"));
        Assert.That(error.Message, Does.Contain("Jwt:AllowMissingIssuerAndAudience"), "the message names the way out");
    }

    [Test]
    public async Task Jwks_url_without_issuer_and_audience_starts_when_explicitly_allowed_and_says_so_once_as_a_warning()
    {
        await using var idp = await JwksServer.StartAsync();
        using var key = RSA.Create(2048);
        idp.Publish(("key-1", key));
        var logs = new LogCapture();
        var settings = JwksSettings(idp.Url);
        settings["Jwt:Issuer"] = null;
        settings["Jwt:Audience"] = null;
        settings["Jwt:AllowMissingIssuerAndAudience"] = "true";
        await using var node = await ChatNode.StartAsync(settings, logs: logs);

        var claims = OidcClaims("auth0|207");
        claims.Remove("iss");
        claims.Remove("aud");
        await using var client = await node.ConnectAsync(JwksServer.SignRs256(claims, key, "key-1"));
        await client.ExpectNothingPendingAsync();

        var warnings = logs.Lines.Where(l => l.Contains("AllowMissingIssuerAndAudience", StringComparison.Ordinal)).ToList();
        Assert.That(warnings, Has.Count.EqualTo(1), string.Join("\n", logs.Lines));
        Assert.That(warnings[0], Does.StartWith("Warning ").And.Contain("[620]").And.Contain("Jwt:Issuer and Jwt:Audience"));
    }

    [Test]
    public async Task Node_with_a_jwks_url_does_not_warn_when_issuer_and_audience_are_set_even_if_allowed_to_miss()
    {
        var logs = new LogCapture();
        var settings = JwksSettings("https://idp.example.com/.well-known/jwks.json");
        settings["Jwt:AllowMissingIssuerAndAudience"] = "true";
        await using var node = await ChatNode.StartAsync(settings, logs: logs);

        Assert.That(logs.Lines.Where(l => l.Contains("[620]", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task Jwks_token_for_another_issuer_or_another_audience_is_refused_401_invalid_token()
    {
        await using var idp = await JwksServer.StartAsync();
        using var key = RSA.Create(2048);
        idp.Publish(("key-1", key));
        await using var node = await ChatNode.StartAsync(JwksSettings(idp.Url));
        var room = Rooms.Unique("audience");

        await using (var meant = await node.ConnectAsync(JwksServer.SignRs256(OidcClaims("auth0|208"), key, "key-1"),
            path: $"/ws/chat/{room}"))
        {
            await meant.ExpectNothingPendingAsync();
        }

        foreach (var (claim, value, what) in new (string, object?, string)[]
        {
            ("iss", "https://other-idp.example", "another issuer"),
            ("aud", "another-app", "a token the provider made for another application"),
            ("iss", null, "no issuer"),
            ("aud", null, "no audience"),
        })
        {
            var claims = OidcClaims("auth0|209");
            if (value is null)
            {
                claims.Remove(claim);
            }
            else
            {
                claims[claim] = value;
            }

            var refused = await Handshake.SendAsync(node, $"/ws/chat/{room}?token={JwksServer.SignRs256(claims, key, "key-1")}");
            Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.Unauthorized), what);
            Assert.That(refused.Error, Is.EqualTo("invalid_token"), what);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /// <summary>A node that takes tokens from the identity provider at <paramref name="url"/> only, meant for RawChat.</summary>
    private static Dictionary<string, string?> JwksSettings(string url) => new()
    {
        ["Jwt:Secret"] = "",
        ["Jwt:JwksUrl"] = url,
        ["Jwt:Issuer"] = Issuer,
        ["Jwt:Audience"] = Audience,
    };

    /// <summary>What an OpenID Connect provider puts in an access token for RawChat: <c>sub</c>, a name, issuer, audience, the times.</summary>
    private static Dictionary<string, object?> OidcClaims(string subject, string? preferredUsername = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["sub"] = subject,
            ["iat"] = now,
            ["exp"] = now + 600,
        };
        if (preferredUsername is not null)
        {
            claims["preferred_username"] = preferredUsername;
        }

        return claims;
    }
}

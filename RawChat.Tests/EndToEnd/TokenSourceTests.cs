using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using NUnit.Framework;
using RawChat.Tests.Support;

namespace RawChat.Tests.EndToEnd;

/// <summary>
/// docs/protocol.md §1, §4 and §6: where the token may come from and which one wins, the SimpleJWT
/// claims a token may carry, and RS256 / ES256 tokens checked against a configured public key.
/// </summary>
public sealed class TokenSourceTests
{
    private const string Subprotocol = "rawchat.v1";

    private RSA _rsa = null!;
    private ECDsa _ec = null!;
    private ChatNode _node = null!;
    private ChatNode _rsaNode = null!;
    private ChatNode _ecNode = null!;

    [OneTimeSetUp]
    public async Task StartNodesAsync()
    {
        _rsa = RSA.Create(2048);
        _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var node = ChatNode.StartAsync();
        var rsaNode = ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Jwt:Secret"] = "",
            ["Jwt:PublicKeyPem"] = _rsa.ExportSubjectPublicKeyInfoPem(),
        });
        var ecNode = ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Jwt:Secret"] = "",
            ["Jwt:PublicKeyPem"] = _ec.ExportSubjectPublicKeyInfoPem(),
        });
        try
        {
            await Task.WhenAll(node, rsaNode, ecNode);
        }
        finally
        {
            _node = node.IsCompletedSuccessfully ? node.Result : null!;
            _rsaNode = rsaNode.IsCompletedSuccessfully ? rsaNode.Result : null!;
            _ecNode = ecNode.IsCompletedSuccessfully ? ecNode.Result : null!;
        }
    }

    [OneTimeTearDown]
    public async Task StopNodesAsync()
    {
        foreach (var node in new[] { _node, _rsaNode, _ecNode })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }

        _rsa?.Dispose();
        _ec?.Dispose();
    }

    // ---- where the token comes from ---------------------------------------------------------------

    [TestCase("Bearer")]
    [TestCase("bearer")]
    public async Task Token_in_the_authorization_header_connects(string scheme)
    {
        var room = Rooms.Unique("header");
        var token = TestTokens.For("31", "amy");
        await using var client = await ChatClient.ConnectAsync(_node.Chat($"/ws/chat/{room}"),
            o => o.SetRequestHeader("Authorization", $"{scheme} {token}"));

        var frame = await PostAsync(client, "via header");

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("amy"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("31"));
    }

    [Test]
    public async Task Token_in_a_bearer_subprotocol_connects_and_the_server_selects_rawchat_v1_without_echoing_the_token()
    {
        var room = Rooms.Unique("subprotocol");
        var token = TestTokens.For("32", "ben");
        await using var client = await ChatClient.ConnectAsync(_node.Chat($"/ws/chat/{room}"), o =>
        {
            o.AddSubProtocol(Subprotocol);
            o.AddSubProtocol($"bearer.{token}");
            o.CollectHttpResponseDetails = true;
        });

        Assert.That(client.Socket.SubProtocol, Is.EqualTo(Subprotocol));
        var echoed = client.Socket.HttpResponseHeaders!
            .SelectMany(h => h.Value.Select(v => $"{h.Key}: {v}"))
            .Where(line => line.Contains(token, StringComparison.Ordinal) || line.Contains("bearer.", StringComparison.OrdinalIgnoreCase));
        Assert.That(echoed, Is.Empty, "the upgrade answer echoes the token");
        var frame = await PostAsync(client, "via subprotocol");
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("ben"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("32"));
    }

    [Test]
    public async Task Rawchat_v1_is_selected_when_offered_alongside_a_query_token()
    {
        await using var client = await ChatClient.ConnectAsync(
            _node.Chat($"/ws/chat/{Rooms.Unique("sub")}?token={TestTokens.For("33")}"), o => o.AddSubProtocol(Subprotocol));

        Assert.That(client.Socket.SubProtocol, Is.EqualTo(Subprotocol));
        await client.ExpectNothingPendingAsync();
    }

    [Test]
    public async Task Query_token_wins_over_a_garbage_authorization_header()
    {
        var token = TestTokens.For("34", "cleo");
        await using var client = await ChatClient.ConnectAsync(
            _node.Chat($"/ws/chat/{Rooms.Unique("wins")}?token={token}"),
            o => o.SetRequestHeader("Authorization", "Bearer garbage.garbage.garbage"));

        var frame = await PostAsync(client, "query won");

        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("34"));
    }

    [Test]
    public async Task Garbage_query_token_is_refused_even_with_a_valid_authorization_header()
    {
        var answer = await Handshake.SendAsync(_node, $"/ws/chat/{Rooms.Unique("wins")}?token=garbage",
            new Dictionary<string, string> { ["Authorization"] = $"Bearer {TestTokens.For("35")}" });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(answer.Error, Is.EqualTo("invalid_token"));
    }

    [Test]
    public async Task Query_token_from_another_user_wins_over_the_authorization_header()
    {
        await using var client = await ChatClient.ConnectAsync(
            _node.Chat($"/ws/chat/{Rooms.Unique("wins")}?token={TestTokens.For("36", "query-user")}"),
            o => o.SetRequestHeader("Authorization", $"Bearer {TestTokens.For("37", "header-user")}"));

        var frame = await PostAsync(client, "who am I");

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("query-user"));
    }

    [Test]
    public async Task Authorization_header_wins_over_the_subprotocol()
    {
        await using var client = await ChatClient.ConnectAsync(_node.Chat($"/ws/chat/{Rooms.Unique("wins")}"), o =>
        {
            o.SetRequestHeader("Authorization", $"Bearer {TestTokens.For("38", "header-user")}");
            o.AddSubProtocol(Subprotocol);
            o.AddSubProtocol($"bearer.{TestTokens.For("39", "subprotocol-user")}");
        });

        var frame = await PostAsync(client, "who am I");

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("header-user"));
    }

    [Test]
    public async Task Garbage_authorization_header_is_refused_even_with_a_valid_subprotocol_token()
    {
        var answer = await Handshake.SendAsync(_node, $"/ws/chat/{Rooms.Unique("wins")}", new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer garbage",
            ["Sec-WebSocket-Protocol"] = $"{Subprotocol}, bearer.{TestTokens.For("40")}",
        });

        Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(answer.Error, Is.EqualTo("invalid_token"));
    }

    // ---- SimpleJWT claims ---------------------------------------------------------------------------

    [TestCase("user_id number", "42")]
    [TestCase("user_id string", "u-42")]
    [TestCase("sub only", "sub-42")]
    [TestCase("user_id and sub", "42")]
    public async Task User_id_comes_from_user_id_as_a_number_or_a_string_else_from_sub(string shape, string expected)
    {
        var claims = TestTokens.Claims("0");
        switch (shape)
        {
            case "user_id number": claims["user_id"] = 42L; break;
            case "user_id string": claims["user_id"] = "u-42"; break;
            case "sub only": claims.Remove("user_id"); claims["sub"] = "sub-42"; break;
            case "user_id and sub": claims["user_id"] = 42L; claims["sub"] = "sub-42"; break;
        }

        var frame = await PostAsUserAsync(TestTokens.SignHs256(claims));

        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo(expected));
        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo(expected), "no name claim: the user id is the name");
    }

    [TestCase("name,username,preferred_username", "by-name")]
    [TestCase("username,preferred_username", "by-username")]
    [TestCase("preferred_username", "by-preferred_username")]
    [TestCase("", "77")]
    public async Task Display_name_is_name_else_username_else_preferred_username_else_the_user_id(string present, string expected)
    {
        var claims = TestTokens.Claims("77");
        foreach (var claim in present.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            claims[claim] = $"by-{claim}";
        }

        var frame = await PostAsUserAsync(TestTokens.SignHs256(claims));

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo(expected));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("77"));
    }

    // ---- public keys ------------------------------------------------------------------------------

    [Test]
    public async Task Rs256_token_is_accepted_by_a_node_configured_with_an_rsa_public_key()
    {
        var token = TestTokens.SignRs256(TestTokens.Claims("51", "rsa-user"), _rsa);

        var frame = await PostAsUserAsync(token, _rsaNode);

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("rsa-user"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("51"));
    }

    [Test]
    public async Task Es256_token_is_accepted_by_a_node_configured_with_an_ec_public_key()
    {
        var token = SignEs256(TestTokens.Claims("52", "ec-user"), _ec);

        var frame = await PostAsUserAsync(token, _ecNode);

        Assert.That(frame.GetProperty("user").GetString(), Is.EqualTo("ec-user"));
        Assert.That(frame.GetProperty("userId").GetString(), Is.EqualTo("52"));
    }

    [Test]
    public async Task Tokens_not_signed_by_the_configured_public_key_are_refused()
    {
        using var otherRsa = RSA.Create(2048);
        using var otherEc = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var claims = TestTokens.Claims("53");

        var cases = new (ChatNode Node, string Token, string What)[]
        {
            (_rsaNode, TestTokens.SignRs256(claims, otherRsa), "RS256 by another key"),
            (_rsaNode, TestTokens.SignHs256(claims), "HS256 on a node without a secret"),
            (_ecNode, SignEs256(claims, otherEc), "ES256 by another key"),
            (_ecNode, TestTokens.SignHs256(claims), "HS256 on a node without a secret"),
        };
        foreach (var (node, token, what) in cases)
        {
            var answer = await Handshake.SendAsync(node, $"/ws/chat/{Rooms.Unique("key")}?token={token}");
            Assert.That(answer.Status, Is.EqualTo(HttpStatusCode.Unauthorized), what);
            Assert.That(answer.Error, Is.EqualTo("invalid_token"), what);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static string SignEs256(IDictionary<string, object?> claims, ECDsa key) =>
        // SignData returns IEEE P1363 (R || S), the JOSE form.
        TestTokens.Sign(new Dictionary<string, object?> { ["alg"] = "ES256", ["typ"] = "JWT" }, claims,
            data => key.SignData(data, HashAlgorithmName.SHA256));

    /// <summary>Connects with the token in the query, posts, and returns the echoed message frame.</summary>
    private async Task<JsonElement> PostAsUserAsync(string token, ChatNode? node = null)
    {
        var room = Rooms.Unique("claims");
        await using var client = await ChatClient.ConnectAsync((node ?? _node).Chat($"/ws/chat/{room}?token={token}"));
        var frame = await PostAsync(client, "hello");
        Assert.That(frame.GetProperty("room").GetString(), Is.EqualTo(room));
        return frame;
    }

    private static async Task<JsonElement> PostAsync(ChatClient client, string text)
    {
        await client.SendAsync(new { message = text });
        var frame = await client.ReceiveTypeAsync("message");
        Assert.That(frame.GetProperty("message").GetString(), Is.EqualTo(text));
        return frame;
    }
}

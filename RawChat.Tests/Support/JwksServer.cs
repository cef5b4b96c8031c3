using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace RawChat.Tests.Support;

/// <summary>
/// A stand-in identity provider: a tiny Kestrel app on a free loopback port that serves a JWKS
/// document at <c>/.well-known/jwks.json</c>. Tests swap the published keys to rotate them and count
/// how often the document was read.
/// </summary>
public sealed class JwksServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile string _document = """{"keys":[]}""";
    private int _reads;

    private JwksServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public int Reads => Volatile.Read(ref _reads);

    public static async Task<JwksServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new JwksServer(app);
        app.MapGet("/.well-known/jwks.json", () =>
        {
            Interlocked.Increment(ref server._reads);
            return Results.Text(server._document, "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Url = $"{address}/.well-known/jwks.json";
        return server;
    }

    /// <summary>Publishes exactly these public keys, each under its <c>kid</c>.</summary>
    public void Publish(params (string Kid, RSA Key)[] keys)
    {
        var jwks = keys.Select(k =>
        {
            var p = k.Key.ExportParameters(includePrivateParameters: false);
            return new Dictionary<string, string>
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = k.Kid,
                ["n"] = Base64UrlEncoder.Encode(p.Modulus),
                ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            };
        });
        _document = System.Text.Json.JsonSerializer.Serialize(new { keys = jwks });
    }

    /// <summary>An RS256 token with <c>kid</c> in its header, as an identity provider issues it.</summary>
    public static string SignRs256(IDictionary<string, object?> claims, RSA key, string kid) =>
        TestTokens.Sign(new Dictionary<string, object?> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = kid }, claims,
            data => key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

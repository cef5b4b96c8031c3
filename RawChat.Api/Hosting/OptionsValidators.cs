using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;
using RawChat.Core.Protocol;
using RawChat.Core.Storage;

namespace RawChat.Api.Hosting;

/// <summary>Start-up checks of every setting: a bad one stops the process with one clear line.</summary>
internal sealed class ConnectionStringsValidator : IValidateOptions<ConnectionStringsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionStringsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Postgres))
        {
            return ValidateOptionsResult.Fail("ConnectionStrings:Postgres is not set (env ConnectionStrings__Postgres)");
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(options.Postgres);
        }
        catch (ArgumentException)
        {
            return ValidateOptionsResult.Fail("ConnectionStrings:Postgres is not a valid Npgsql connection string");
        }

        return string.IsNullOrWhiteSpace(options.Redis)
            ? ValidateOptionsResult.Fail("ConnectionStrings:Redis is not set (env ConnectionStrings__Redis), e.g. 127.0.0.1:6379")
            : ValidateOptionsResult.Success;
    }
}

internal sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    // HMAC-SHA256 keys shorter than the hash are refused by Microsoft.IdentityModel.
    private const int MinSecretBytes = 32;

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        string? pem;
        try
        {
            pem = SigningKeys.ReadPem(options);
        }
        catch (IOException e)
        {
            return ValidateOptionsResult.Fail($"Jwt:PublicKeyPemFile cannot be read: {e.Message}");
        }

        var jwks = !string.IsNullOrWhiteSpace(options.JwksUrl);
        if (string.IsNullOrEmpty(options.Secret) && pem is null && !jwks)
        {
            return ValidateOptionsResult.Fail(
                "Jwt:Secret (env Jwt__Secret, HS256), Jwt:PublicKeyPem / Jwt:PublicKeyPemFile or Jwt:JwksUrl (RS256/ES256) must be set");
        }

        if (jwks && JwksUrlProblem(options.JwksUrl!) is { } problem)
        {
            return ValidateOptionsResult.Fail(problem);
        }

        if (options.JwksRefreshMinutes is < 5 or > 1440)
        {
            return ValidateOptionsResult.Fail("Jwt:JwksRefreshMinutes must be between 5 and 1440");
        }

        if (!string.IsNullOrEmpty(options.Secret) && Encoding.UTF8.GetByteCount(options.Secret) < MinSecretBytes)
        {
            return ValidateOptionsResult.Fail($"Jwt:Secret must be at least {MinSecretBytes} bytes long");
        }

        if (pem is not null)
        {
            try
            {
                _ = SigningKeys.FromPublicKeyPem(pem);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                return ValidateOptionsResult.Fail("Jwt public key is not a valid RSA or EC public key in PEM form");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ServiceClaim) || options.ServiceClaim.Any(char.IsWhiteSpace))
        {
            return ValidateOptionsResult.Fail("Jwt:ServiceClaim must be a claim name without spaces, e.g. rawchat_service");
        }

        return options.ClockSkewSeconds is < 0 or > 3600
            ? ValidateOptionsResult.Fail("Jwt:ClockSkewSeconds must be between 0 and 3600")
            : ValidateOptionsResult.Success;
    }

    private static string? JwksUrlProblem(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Jwt:JwksUrl must be an absolute https URL";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !JwksKeys.IsLoopback(uri)
            ? "Jwt:JwksUrl must use https (plain http is allowed on a loopback address only)"
            : null;
    }
}

internal sealed class ChatOptionsValidator : IValidateOptions<ChatOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatOptions o)
    {
        var problems = new List<string>();
        if (!RoomName.IsValid(o.DefaultRoom))
        {
            problems.Add("Chat:DefaultRoom must be a valid room name");
        }

        Check(o.MaxMessageLength >= 1, "Chat:MaxMessageLength must be at least 1");
        Check(o.MaxFrameBytes >= 1024, "Chat:MaxFrameBytes must be at least 1024");
        Check(o.HistoryOnJoin is >= 0 and <= 200, "Chat:HistoryOnJoin must be between 0 and 200");
        Check(o.ReplayCap >= 1, "Chat:ReplayCap must be at least 1");
        Check(o.MaxRoomsPerConnection >= 1, "Chat:MaxRoomsPerConnection must be at least 1");
        Check(o.MaxConcurrentReplays >= 1, "Chat:MaxConcurrentReplays must be at least 1");
        Check(o.OutboxCapacity >= 16, "Chat:OutboxCapacity must be at least 16");
        Check(o.PostsPerSecond > 0, "Chat:PostsPerSecond must be positive");
        Check(o.PostBurst >= 1, "Chat:PostBurst must be at least 1");
        Check(o.RateLimitStrikes >= 1, "Chat:RateLimitStrikes must be at least 1");
        Check(o.TypingPerSecond > 0, "Chat:TypingPerSecond must be positive");
        Check(o.TypingBurst >= 1, "Chat:TypingBurst must be at least 1");
        Check(o.MaxConnectionsPerNode >= 1, "Chat:MaxConnectionsPerNode must be at least 1");
        Check(o.MaxConnectionsPerUser >= 1, "Chat:MaxConnectionsPerUser must be at least 1");
        Check(o.KeepAliveSeconds >= 0, "Chat:KeepAliveSeconds must not be negative");
        Check(o.CloseTimeoutSeconds >= 1, "Chat:CloseTimeoutSeconds must be at least 1");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);

        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }
    }
}

internal sealed class FanoutOptionsValidator : IValidateOptions<FanoutOptions>
{
    public ValidateOptionsResult Validate(string? name, FanoutOptions options) =>
        options.GapTimeoutMilliseconds is < 1 or > 60_000
            ? ValidateOptionsResult.Fail("Fanout:GapTimeoutMilliseconds must be between 1 and 60000")
            : string.IsNullOrEmpty(options.ChannelPrefix)
                ? ValidateOptionsResult.Fail("Fanout:ChannelPrefix must not be empty")
            // A hash tag in the prefix would hash every room to one slot, so one shard would carry them all.
            : options.ShardedPubSub && HasHashTag(options.ChannelPrefix)
                ? ValidateOptionsResult.Fail("Fanout:ChannelPrefix must not hold a Redis hash tag ({...}) when Fanout:ShardedPubSub is on")
            : ValidateOptionsResult.Success;

    private static bool HasHashTag(string prefix)
    {
        var open = prefix.IndexOf('{', StringComparison.Ordinal);
        return open >= 0 && prefix.IndexOf('}', open + 1) > open + 1;
    }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.MaxBatchSize is < 1 or > 10_000
            ? ValidateOptionsResult.Fail("Storage:MaxBatchSize must be between 1 and 10000")
            : options.Writers is < 1 or > 64
                ? ValidateOptionsResult.Fail("Storage:Writers must be between 1 and 64")
                : ValidateOptionsResult.Success;
}

internal sealed class PresenceOptionsValidator(IOptions<FanoutOptions> fanout) : IValidateOptions<PresenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PresenceOptions options)
    {
        var rooms = fanout.Value.ChannelPrefix;
        var events = options.EventChannelPrefix;
        return options.HeartbeatSeconds < 1 ? ValidateOptionsResult.Fail("Presence:HeartbeatSeconds must be at least 1")
            : options.TtlSeconds < 2 * options.HeartbeatSeconds || options.TtlSeconds > 3600
                ? ValidateOptionsResult.Fail("Presence:TtlSeconds must be at least twice Presence:HeartbeatSeconds and at most 3600")
            : string.IsNullOrEmpty(options.KeyPrefix) || string.IsNullOrEmpty(events)
                ? ValidateOptionsResult.Fail("Presence:KeyPrefix and Presence:EventChannelPrefix must not be empty")
            // Room names may hold ':', so one prefix starting the other could put presence events on a room's message channel.
            : events.StartsWith(rooms, StringComparison.Ordinal) || rooms.StartsWith(events, StringComparison.Ordinal)
                ? ValidateOptionsResult.Fail("Presence:EventChannelPrefix and Fanout:ChannelPrefix must not start with one another")
            : ValidateOptionsResult.Success;
    }
}

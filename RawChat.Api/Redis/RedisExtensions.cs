using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Fanout;
using StackExchange.Redis;

namespace RawChat.Api.Redis;

internal static class RedisExtensions
{
    public static WebApplicationBuilder AddRedisFanout(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = ConfigurationOptions.Parse(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Redis);
            if (sp.GetRequiredService<IOptions<RedisOptions>>().Value.TrustedCaFile is { Length: > 0 } caFile)
            {
                options.CertificateValidation += RedisTrust.OnlyFrom(RedisTrust.LoadAuthorities(caFile));
            }

            // Redis is the fast path, not the truth: start (and keep running) while it is away.
            options.AbortOnConnectFail = false;
            options.ClientName = "rawchat";
            // Come back soon after an outage: what was missed meanwhile is read from PostgreSQL.
            options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5000);
            var redis = ConnectionMultiplexer.Connect(options);
            if (sp.GetRequiredService<IOptions<FanoutOptions>>().Value.ShardedPubSub)
            {
                RequireShardedPubSub(redis);
            }

            return redis;
        });
        builder.Services.AddSingleton<MessageBus>();
        builder.Services.AddSingleton<LocalRooms>();
        return builder;
    }

    /// <summary>SSUBSCRIBE/SPUBLISH came with Redis 7: refuse to start against an older server that answers now.</summary>
    private static void RequireShardedPubSub(ConnectionMultiplexer redis)
    {
        foreach (var endpoint in redis.GetEndPoints())
        {
            var server = redis.GetServer(endpoint);
            if (server.IsConnected && server.Version < new Version(7, 0))
            {
                redis.Dispose();
                throw new InvalidOperationException(
                    $"Fanout:ShardedPubSub needs Redis 7 or later (SSUBSCRIBE/SPUBLISH); {endpoint} runs {server.Version}");
            }
        }
    }
}

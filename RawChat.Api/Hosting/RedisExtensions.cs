using Microsoft.Extensions.Options;
using RawChat.Core.Fanout;
using StackExchange.Redis;

namespace RawChat.Api.Hosting;

internal static class RedisExtensions
{
    public static WebApplicationBuilder AddRedisFanout(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = ConfigurationOptions.Parse(sp.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value.Redis);
            // Redis is the fast path, not the truth: start (and keep running) while it is away.
            options.AbortOnConnectFail = false;
            options.ClientName = "rawchat";
            // Come back soon after an outage: what was missed meanwhile is read from PostgreSQL.
            options.ReconnectRetryPolicy = new ExponentialRetry(deltaBackOffMilliseconds: 250, maxDeltaBackOffMilliseconds: 5000);
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddSingleton<MessageBus>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        return builder;
    }
}

using Microsoft.Extensions.Options;
using RawChat.Api.Auth;
using RawChat.Api.Chat;
using RawChat.Api.Presence;
using RawChat.Api.Quotas;
using RawChat.Api.Redis;
using RawChat.Api.Storage;
using RawChat.Api.Tickets;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;
using RawChat.Core.Storage;
using RawChat.Core.Tickets;

namespace RawChat.Api.Hosting;

internal static class OptionsExtensions
{
    public static WebApplicationBuilder AddChatOptions(this WebApplicationBuilder builder)
    {
        Bind<ConnectionStringsOptions, ConnectionStringsValidator>(builder, ConnectionStringsOptions.SectionName);
        Bind<RedisOptions, RedisOptionsValidator>(builder, RedisOptions.SectionName);
        Bind<JwtOptions, JwtOptionsValidator>(builder, JwtOptions.SectionName);
        Bind<ChatOptions, ChatOptionsValidator>(builder, ChatOptions.SectionName);
        Bind<FanoutOptions, FanoutOptionsValidator>(builder, FanoutOptions.SectionName);
        Bind<StorageOptions, StorageOptionsValidator>(builder, StorageOptions.SectionName);
        Bind<PresenceOptions, PresenceOptionsValidator>(builder, PresenceOptions.SectionName);
        Bind<QuotaOptions, QuotaOptionsValidator>(builder, QuotaOptions.SectionName);
        Bind<TicketOptions, TicketOptionsValidator>(builder, TicketOptions.SectionName);
        return builder;
    }

    /// <summary>Reads every options value once, so a bad setting fails before anything connects.</summary>
    public static void ValidateChatOptions(this IServiceProvider services)
    {
        _ = services.GetRequiredService<IOptions<ConnectionStringsOptions>>().Value;
        _ = services.GetRequiredService<IOptions<RedisOptions>>().Value;
        _ = services.GetRequiredService<IOptions<JwtOptions>>().Value;
        _ = services.GetRequiredService<IOptions<ChatOptions>>().Value;
        _ = services.GetRequiredService<IOptions<FanoutOptions>>().Value;
        _ = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        _ = services.GetRequiredService<IOptions<PresenceOptions>>().Value;
        _ = services.GetRequiredService<IOptions<QuotaOptions>>().Value;
        _ = services.GetRequiredService<IOptions<TicketOptions>>().Value;
    }

    private static void Bind<TOptions, TValidator>(WebApplicationBuilder builder, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        builder.Services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
    }
}

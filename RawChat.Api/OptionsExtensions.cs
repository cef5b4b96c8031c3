using Microsoft.Extensions.Options;
using RawChat.Api.Auth;
using RawChat.Api.Chat;
using RawChat.Api.Hosting;
using RawChat.Api.Presence;
using RawChat.Api.Quotas;
using RawChat.Api.Redis;
using RawChat.Api.Rooms;
using RawChat.Api.Storage;
using RawChat.Api.Tickets;
using RawChat.Core.Auth;
using RawChat.Core.Chat;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;
using RawChat.Core.Rooms;
using RawChat.Core.Storage;
using RawChat.Core.Tickets;

namespace RawChat.Api;

/// <summary>
/// Binds every section and checks it at start-up. Defaults live in the options classes' initialisers;
/// ranges in their attributes, checked by validators the source generator writes; rules that need
/// another section, a file or the environment in the small validators beside them.
/// </summary>
internal static class OptionsExtensions
{
    public static WebApplicationBuilder AddChatOptions(this WebApplicationBuilder builder)
    {
        Bind(builder, ConnectionStringsOptions.SectionName, new ConnectionStringsOptionsValidator())
            .AddSingleton<IValidateOptions<ConnectionStringsOptions>, ConnectionStringsValidator>();
        Bind<RedisOptions>(builder, RedisOptions.SectionName, generated: null) // one file setting, checked with the connection string
            .AddSingleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>();
        Bind(builder, JwtOptions.SectionName, new JwtOptionsValidator())
            .AddSingleton<IValidateOptions<JwtOptions>, JwtKeyValidator>();
        Bind(builder, ChatOptions.SectionName, new ChatOptionsValidator());
        Bind(builder, FanoutOptions.SectionName, new FanoutOptionsValidator());
        Bind(builder, StorageOptions.SectionName, new StorageOptionsValidator());
        Bind(builder, PresenceOptions.SectionName, new PresenceOptionsValidator())
            .AddSingleton<IValidateOptions<PresenceOptions>, PresenceChannelsValidator>();
        Bind(builder, QuotaOptions.SectionName, new QuotaOptionsValidator())
            .AddSingleton<IValidateOptions<QuotaOptions>, QuotaKeysValidator>();
        Bind(builder, TicketOptions.SectionName, new TicketOptionsValidator())
            .AddSingleton<IValidateOptions<TicketOptions>, TicketKeysValidator>();
        Bind(builder, RoomsOptions.SectionName, new RoomsOptionsValidator())
            .AddSingleton<IValidateOptions<RoomsOptions>, RoomKeysValidator>();
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
        _ = services.GetRequiredService<IOptions<RoomsOptions>>().Value;
    }

    private static IServiceCollection Bind<TOptions>(WebApplicationBuilder builder, string section, IValidateOptions<TOptions>? generated)
        where TOptions : class
    {
        builder.Services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        if (generated is not null)
        {
            builder.Services.AddSingleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section, generated));
        }

        return builder.Services;
    }
}

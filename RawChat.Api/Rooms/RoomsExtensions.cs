using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Api.Http;
using RawChat.Core.Chat;
using RawChat.Core.Fanout;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;
using RawChat.Core.Rooms;

namespace RawChat.Api.Rooms;

internal static class RoomsExtensions
{
    /// <summary>Rooms, members and moderation (docs/protocol.md §14): the stores, the node's cache and the control channel.</summary>
    public static WebApplicationBuilder AddRooms(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RoomsDatabase>();
        builder.Services.AddSingleton<RoomStore>();
        builder.Services.AddSingleton<MemberStore>();
        builder.Services.AddSingleton<ModerationStore>();
        builder.Services.AddSingleton<RoomAccessCache>();
        builder.Services.AddSingleton<SlowMode>();
        builder.Services.AddSingleton<RoomGuard>();
        builder.Services.AddSingleton<RoomChanges>();
        builder.Services.AddSingleton<UserDirectory>();
        builder.Services.AddSingleton<RoomActors>();
        builder.Services.AddSingleton<RoomLimits>();
        builder.Services.AddSingleton<RoomsApiBudget>();
        builder.Services.AddHostedService<RoomsBackground>();
        return builder;
    }

    /// <summary>The rooms endpoints, in the <c>/api</c> group, with storage failures answered 503.</summary>
    public static RouteGroupBuilder MapRoomsApi(this RouteGroupBuilder api)
    {
        var rooms = api.MapGroup("")
            .AddEndpointFilter((context, next) => // one budget for all the endpoints: the singleton
                context.HttpContext.RequestServices.GetRequiredService<RoomsApiBudget>().InvokeAsync(context, next))
            .AddEndpointFilter<StorageFailureRefusal>()
            .Refuses(StatusCodes.Status429TooManyRequests, "rate_limited, with Retry-After: over the user's rooms API budget on this node");
        rooms.MapRoomEndpoints();
        rooms.MapMemberEndpoints();
        rooms.MapModerationEndpoints();
        return api;
    }
}

/// <summary>Listens to the rooms control channel, and writes the users seen to PostgreSQL.</summary>
internal sealed class RoomsBackground(RoomChanges changes, UserDirectory users) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await changes.ListenAsync().ConfigureAwait(false);
        try
        {
            await users.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}

/// <summary>Room keys and channels need names apart from the other Redis names.</summary>
internal sealed class RoomKeysValidator(IOptions<FanoutOptions> fanout, IOptions<PresenceOptions> presence, IOptions<QuotaOptions> quotas)
    : IValidateOptions<RoomsOptions>
{
    public ValidateOptionsResult Validate(string? name, RoomsOptions options)
    {
        foreach (var result in new[]
        {
            PrefixesApart.Check(options.KeyPrefix, "Rooms:KeyPrefix", fanout.Value.ChannelPrefix, "Fanout:ChannelPrefix"),
            PrefixesApart.Check(options.KeyPrefix, "Rooms:KeyPrefix", presence.Value.KeyPrefix, "Presence:KeyPrefix"),
            PrefixesApart.Check(options.KeyPrefix, "Rooms:KeyPrefix", quotas.Value.KeyPrefix, "Quotas:KeyPrefix"),
        })
        {
            if (result.Failed)
            {
                return result;
            }
        }

        return ValidateOptionsResult.Success;
    }
}

[OptionsValidator]
internal sealed partial class RoomsOptionsValidator : IValidateOptions<RoomsOptions>;

using Microsoft.Extensions.Options;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

/// <summary>Quota keys and presence keys need names of their own.</summary>
internal sealed class QuotaKeysValidator(IOptions<PresenceOptions> presence) : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        var rooms = presence.Value.KeyPrefix ?? "";
        var quotas = options.KeyPrefix ?? "";
        // Room names may hold ':', so one prefix starting the other could make a room's presence set a quota key.
        return quotas.Length > 0 && rooms.Length > 0
            && (quotas.StartsWith(rooms, StringComparison.Ordinal) || rooms.StartsWith(quotas, StringComparison.Ordinal))
                ? ValidateOptionsResult.Fail("Quotas:KeyPrefix and Presence:KeyPrefix must not start with one another")
                : ValidateOptionsResult.Success;
    }
}

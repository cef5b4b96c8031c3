using Microsoft.Extensions.Options;
using RawChat.Api.Hosting;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

/// <summary>Quota keys and presence keys need names of their own.</summary>
internal sealed class QuotaKeysValidator(IOptions<PresenceOptions> presence) : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions options) =>
        PrefixesApart.Check(options.KeyPrefix, "Quotas:KeyPrefix", presence.Value.KeyPrefix, "Presence:KeyPrefix");
}

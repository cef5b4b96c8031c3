using Microsoft.Extensions.Options;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;

namespace RawChat.Api.Quotas;

internal sealed class QuotaOptionsValidator(IOptions<PresenceOptions> presence) : IValidateOptions<QuotaOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaOptions o)
    {
        var problems = new List<string>();
        Check(o.MaxConnectionsPerUser >= 1, "Quotas:MaxConnectionsPerUser must be at least 1");
        Check(o.HeartbeatSeconds >= 1, "Quotas:HeartbeatSeconds must be at least 1");
        Check(o.ClaimTtlSeconds >= 2 * o.HeartbeatSeconds && o.ClaimTtlSeconds <= 3600,
            "Quotas:ClaimTtlSeconds must be at least twice Quotas:HeartbeatSeconds and at most 3600");
        Check(o.ClaimTimeoutMilliseconds is >= 10 and <= 10_000, "Quotas:ClaimTimeoutMilliseconds must be between 10 and 10000");
        Check(o.PostsPerSecondPerUser > 0, "Quotas:PostsPerSecondPerUser must be positive");
        Check(o.PostBurstPerUser >= 1, "Quotas:PostBurstPerUser must be at least 1");
        Check(o.FlushMilliseconds is >= 10 and <= 10_000, "Quotas:FlushMilliseconds must be between 10 and 10000");
        if (o.PostsPerSecondPerUser > 0 && o.PostBurstPerUser >= 1)
        {
            // A user gets PostBurstPerUser posts per window; the window must span a few flushes to be enforced.
            Check(o.PostWindowMilliseconds >= 2 * o.FlushMilliseconds && o.PostWindowMilliseconds <= 3_600_000,
                "Quotas:PostBurstPerUser / Quotas:PostsPerSecondPerUser (the posting window, in seconds) must be at least "
                + "twice Quotas:FlushMilliseconds and at most 3600 s");
        }

        // Room names may hold ':', so one prefix starting the other could make a room's presence set a quota key.
        var rooms = presence.Value.KeyPrefix;
        Check(!string.IsNullOrEmpty(o.KeyPrefix) && !o.KeyPrefix.StartsWith(rooms, StringComparison.Ordinal)
            && !rooms.StartsWith(o.KeyPrefix, StringComparison.Ordinal),
            "Quotas:KeyPrefix must not be empty, and it and Presence:KeyPrefix must not start with one another");
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

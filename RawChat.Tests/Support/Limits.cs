namespace RawChat.Tests.Support;

/// <summary>Settings that lift every post and frame budget, for tests whose load is not what they test.</summary>
public static class Limits
{
    /// <summary>Node settings: posts and frames per second and their bursts, per connection and per user, all <paramref name="budget"/>; plus <paramref name="and"/>.</summary>
    public static Dictionary<string, string?> Lifted(int budget, Dictionary<string, string?>? and = null)
    {
        var value = budget.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>
        {
            ["Chat:PostsPerSecond"] = value,
            ["Chat:PostBurst"] = value,
            ["Quotas:PostsPerSecondPerUser"] = value,
            ["Quotas:PostBurstPerUser"] = value,
            ["Chat:FramesPerSecond"] = value,
            ["Chat:FrameBurst"] = value,
        };
        foreach (var (key, setting) in and ?? [])
        {
            settings[key] = setting;
        }

        return settings;
    }

    /// <summary>The same settings as environment variables of a RawChat process (<c>Chat__PostBurst</c>).</summary>
    public static void LiftIn(IDictionary<string, string?> environment, int budget)
    {
        foreach (var (key, value) in Lifted(budget))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }
}

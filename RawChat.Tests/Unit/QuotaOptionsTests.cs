using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api;
using RawChat.Api.Quotas;
using RawChat.Core.Presence;
using RawChat.Core.Quotas;
using RawChat.Tests.Support;

namespace RawChat.Tests.Unit;

/// <summary>The start-up checks of the <c>Quotas</c> settings.</summary>
public sealed class QuotaOptionsTests
{
    [Test]
    public void Defaults_are_valid_and_give_a_posting_window_of_two_seconds()
    {
        Assert.That(Validate(new QuotaOptions()).Succeeded, Is.True);
        Assert.That(new QuotaOptions().PostWindowMilliseconds, Is.EqualTo(2000));
    }

    [TestCase(nameof(QuotaOptions.MaxConnectionsPerUser), 0)]
    [TestCase(nameof(QuotaOptions.HeartbeatSeconds), 0)]
    [TestCase(nameof(QuotaOptions.ClaimTtlSeconds), 19)]
    [TestCase(nameof(QuotaOptions.ClaimTtlSeconds), 3601)]
    [TestCase(nameof(QuotaOptions.ClaimTimeoutMilliseconds), 5)]
    [TestCase(nameof(QuotaOptions.PostsPerSecondPerUser), 0)]
    [TestCase(nameof(QuotaOptions.PostBurstPerUser), 0)]
    [TestCase(nameof(QuotaOptions.FlushMilliseconds), 5)]
    public void Out_of_range_setting_is_refused_by_name(string setting, double value)
    {
        var options = new QuotaOptions();
        var property = typeof(QuotaOptions).GetProperty(setting)!;
        property.SetValue(options, Convert.ChangeType(value, property.PropertyType, System.Globalization.CultureInfo.InvariantCulture));

        var result = Validate(options);

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain($"Quotas:{setting}"));
    }

    [TestCase(40, 10, 200)] // a window of 250 ms: not two flushes
    [TestCase(0.001, 4000, 200)] // 4,000,000 s
    public void Posting_window_must_span_two_flushes_and_at_most_an_hour(double rate, int burst, int flush)
    {
        var result = Validate(new QuotaOptions { PostsPerSecondPerUser = rate, PostBurstPerUser = burst, FlushMilliseconds = flush });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("posting window"));
    }

    [TestCase("rawchat:presence:")]
    [TestCase("rawchat:presence:quota:")]
    [TestCase("rawchat:")]
    [TestCase("")]
    public void Quota_keys_may_not_share_the_presence_keys(string prefix)
    {
        var result = Validate(new QuotaOptions { KeyPrefix = prefix });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Quotas:KeyPrefix"));
    }

    [Test]
    public async Task Node_with_a_bad_quota_setting_refuses_to_start_naming_it()
    {
        var settings = await ChatNode.DefaultSettingsAsync(new Dictionary<string, string?> { ["Quotas:MaxConnectionsPerUser"] = "0" });
        await using var app = ChatNode.Build(settings);

        var refused = Assert.ThrowsAsync<OptionsValidationException>(() => ChatServer.StartAsync(app));

        Assert.That(refused!.Message, Does.Contain("Quotas:MaxConnectionsPerUser"));
    }

    private static ValidateOptionsResult Validate(QuotaOptions options) =>
        OptionsCheck.Run(options, QuotaOptions.SectionName, new QuotaOptionsValidator(),
            new QuotaKeysValidator(Options.Create(new PresenceOptions())));
}

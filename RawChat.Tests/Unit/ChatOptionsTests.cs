using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api.Chat;
using RawChat.Api.Storage;
using RawChat.Api.Tickets;
using RawChat.Core.Chat;
using RawChat.Core.Presence;
using RawChat.Core.Storage;
using RawChat.Core.Tickets;

namespace RawChat.Tests.Unit;

/// <summary>The start-up checks of the <c>Chat</c>, <c>Storage</c> and <c>Tickets</c> settings, as an operator reads them.</summary>
public sealed class ChatOptionsTests
{
    [Test]
    public void Defaults_are_valid()
    {
        Assert.That(Validate(new ChatOptions()).Succeeded, Is.True);
        Assert.That(OptionsCheck.Run(new StorageOptions(), StorageOptions.SectionName, new StorageOptionsValidator()).Succeeded, Is.True);
        Assert.That(ValidateTickets(new TicketOptions()).Succeeded, Is.True);
    }

    [Test]
    public void An_out_of_range_setting_is_named_as_configuration_spells_it()
    {
        var result = Validate(new ChatOptions { MaxMessageLength = 0 });

        Assert.That(result.Failures, Is.EqualTo(new[] { "The field Chat:MaxMessageLength must be between 1 and 2147483647." }));
    }

    [Test]
    public void Every_bad_setting_of_a_section_is_named_at_once()
    {
        var result = Validate(new ChatOptions { HistoryOnJoin = 201, FramesPerSecond = 0, DefaultRoom = "no spaces please" });

        Assert.That(result.FailureMessage, Does.Contain("Chat:HistoryOnJoin must be between 0 and 200")
            .And.Contain("Chat:FramesPerSecond must be between 0 exclusive and 1000000")
            .And.Contain("Chat:DefaultRoom must be a valid room name"));
    }

    [Test]
    public void A_rate_below_one_per_second_is_a_rate()
    {
        Assert.That(Validate(new ChatOptions { TypingPerSecond = 0.2, PostsPerSecond = 0.5, FramesPerSecond = 0.9 }).Succeeded, Is.True);
    }

    [Test]
    public void A_page_may_not_be_larger_than_the_outbox()
    {
        var result = Validate(new ChatOptions { MaxQueuedBytes = 64 * 1024, MaxPageBytes = 128 * 1024 });

        Assert.That(result.Failures, Is.EqualTo(new[] { "Chat:MaxPageBytes must be at most Chat:MaxQueuedBytes" }));
    }

    [Test]
    public void Storage_ranges_are_named()
    {
        var result = OptionsCheck.Run(new StorageOptions { Writers = 65 }, StorageOptions.SectionName, new StorageOptionsValidator());

        Assert.That(result.Failures, Is.EqualTo(new[] { "The field Storage:Writers must be between 1 and 64." }));
    }

    [TestCase("")]
    [TestCase("rawchat ticket:")]
    [TestCase("{rawchat}:ticket:")]
    [TestCase("rawchat:presence:tickets:")]
    public void Ticket_keys_need_a_plain_prefix_of_their_own(string prefix)
    {
        var result = ValidateTickets(new TicketOptions { KeyPrefix = prefix });

        Assert.That(result.Failed, Is.True);
        Assert.That(result.FailureMessage, Does.Contain("Tickets:KeyPrefix"));
    }

    private static ValidateOptionsResult Validate(ChatOptions options) =>
        OptionsCheck.Run(options, ChatOptions.SectionName, new ChatOptionsValidator());

    private static ValidateOptionsResult ValidateTickets(TicketOptions options) =>
        OptionsCheck.Run(options, TicketOptions.SectionName, new TicketOptionsValidator(),
            new TicketKeysValidator(Options.Create(new PresenceOptions())));
}

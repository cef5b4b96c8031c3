using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RawChat.Api.Logging;
using RawChat.Tests.Support;

namespace RawChat.Tests.Unit;

/// <summary>
/// The node's loggers blank credentials before any provider sees them: in the message, in the
/// structured values, in scopes and in exceptions. Text without a credential passes untouched.
/// </summary>
public sealed partial class LogRedactionTests
{
    private static readonly string Jwt = TestTokens.For("91", "zed");
    private const string Ticket = "rct_Qm9vdHN0cmFwIGEgbmV3IGZyaWVuZCB0b2RheQ0K";

    [TestCase("GET /ws/chat/lobby?token={jwt}&since=3", "GET /ws/chat/lobby?token=[redacted]&since=3")]
    [TestCase("GET /ws/chat?room=a&TOKEN=abc.def", "GET /ws/chat?room=a&TOKEN=[redacted]")]
    [TestCase("/callback?access_token=opaque-value#frag", "/callback?access_token=[redacted]#frag")]
    [TestCase("GET /ws/chat?ticket={ticket}", "GET /ws/chat?ticket=[redacted]")]
    [TestCase("redeeming {ticket} failed", "redeeming [redacted] failed")]
    [TestCase("token {jwt} in free text", "token [redacted] in free text")]
    [TestCase("Sec-WebSocket-Protocol: rawchat.v1, bearer.{jwt}", "Sec-WebSocket-Protocol: rawchat.v1, bearer [redacted]")]
    [TestCase("Authorization: Bearer some-opaque-token", "Authorization: Bearer [redacted]")]
    public void Credentials_in_text_are_blanked(string text, string expected)
    {
        var redacted = SecretRedactor.Redact(text.Replace("{jwt}", Jwt, StringComparison.Ordinal).Replace("{ticket}", Ticket, StringComparison.Ordinal));

        Assert.That(redacted, Is.EqualTo(expected));
    }

    [TestCase("Connection 0HN7 opened for user 42 in room lobby")]
    [TestCase("Request finished HTTP/1.1 GET http://127.0.0.1:8080/ws/chat/lobby?since=12 - 101")]
    [TestCase("the token expired; tickets are single-use")]
    public void Text_without_a_credential_is_returned_as_it_is(string text)
    {
        Assert.That(SecretRedactor.Redact(text), Is.SameAs(text));
    }

    [Test]
    public void A_templated_value_holding_a_token_is_blanked_in_the_message_and_in_the_values()
    {
        var (logger, capture) = Logger();

        LogRequest(logger, $"/ws/chat?token={Jwt}", 42);

        var line = capture.Lines.Single();
        Assert.That(line, Does.Contain("Request /ws/chat?token=[redacted] for 42"));
        Assert.That(line, Does.Contain("Target=/ws/chat?token=[redacted]").And.Contain("UserId=42"));
        Assert.That(line, Does.Not.Contain(Jwt.Split('.')[2]));
    }

    [Test]
    public void A_message_built_by_interpolation_is_blanked()
    {
        var (logger, capture) = Logger();
#pragma warning disable CA2254 // the point: a message that is not a template
        logger.LogInformation($"upgrading /ws/chat?ticket={Ticket}");
#pragma warning restore CA2254

        Assert.That(capture.Lines.Single(), Does.Contain("upgrading /ws/chat?ticket=[redacted]").And.Not.Contain(Ticket));
    }

    [Test]
    public void An_exception_whose_messages_hold_a_token_is_blanked_and_keeps_its_type_and_stack()
    {
        var (logger, capture) = Logger();
        Exception error;
        try
        {
            try
            {
                throw new FormatException($"bad request line 'GET /ws/chat?token={Jwt}'");
            }
            catch (FormatException inner)
            {
                throw new InvalidOperationException($"handshake failed with bearer.{Jwt}", inner);
            }
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        logger.LogWarning(error, "Handshake fault");

        var line = capture.Lines.Single();
        Assert.That(line, Does.Not.Contain(Jwt.Split('.')[1]));
        Assert.That(line, Does.Contain("System.InvalidOperationException: handshake failed with bearer [redacted]"));
        Assert.That(line, Does.Contain("System.FormatException: bad request line 'GET /ws/chat?token=[redacted]'"));
        Assert.That(line, Does.Contain(nameof(An_exception_whose_messages_hold_a_token_is_blanked_and_keeps_its_type_and_stack)));
    }

    [Test]
    public void A_scope_holding_a_token_is_blanked()
    {
        var (logger, capture) = Logger();

        using (logger.BeginScope("request {Url}", $"/ws/chat?token={Jwt}"))
        {
            logger.LogInformation("inside");
        }

        Assert.That(capture.Lines.Single(), Does.Contain("scope request /ws/chat?token=[redacted]").And.Not.Contain(Jwt.Split('.')[2]));
    }

    [Test]
    public void A_clean_log_call_reaches_the_provider_with_its_own_state()
    {
        var states = new StateCapture();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(states).SetMinimumLevel(LogLevel.Trace)));

        LogRequest(factory.CreateLogger("test"), "/ws/chat?since=4", 7);

        Assert.That(states.Types.Single().Name, Does.Not.Contain(nameof(RedactedState)));
    }

    [Test]
    public void A_level_that_is_off_formats_nothing()
    {
        var formatted = 0;
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(new LogCapture()).SetMinimumLevel(LogLevel.Warning)));

        factory.CreateLogger("test").Log(LogLevel.Information, default, Jwt, null, (s, _) =>
        {
            formatted++;
            return s;
        });

        Assert.That(formatted, Is.Zero);
    }

    private static (ILogger Logger, LogCapture Capture) Logger()
    {
        var capture = new LogCapture();
        var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)));
        return (factory.CreateLogger("test"), capture);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Request {Target} for {UserId}")]
    private static partial void LogRequest(ILogger logger, string target, int userId);

    private sealed class StateCapture : ILoggerProvider
    {
        public List<Type> Types { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(StateCapture owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter) => owner.Types.Add(typeof(TState));
        }
    }
}

using NUnit.Framework;

namespace RawChat.Tests.Support;

/// <summary>
/// A test class whose tests share two nodes, <see cref="A"/> and <see cref="B"/>, on the shared
/// PostgreSQL and Redis, with the same <paramref name="settings"/> (B with <paramref name="settingsOfB"/>
/// when given): they start before the class's first test and stop after its last.
/// </summary>
public abstract class TwoNodeFixture(IDictionary<string, string?>? settings = null, IDictionary<string, string?>? settingsOfB = null)
{
    protected ChatNode A { get; private set; } = null!;

    protected ChatNode B { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartNodesAsync()
    {
        var a = ChatNode.StartAsync(settings);
        var b = ChatNode.StartAsync(settingsOfB ?? settings);
        try
        {
            await Task.WhenAll(a, b);
        }
        finally
        {
            // Keep whatever started, so the tear-down stops it even when the other failed.
            A = a.IsCompletedSuccessfully ? a.Result : null!;
            B = b.IsCompletedSuccessfully ? b.Result : null!;
        }
    }

    [OneTimeTearDown]
    public async Task StopNodesAsync()
    {
        foreach (var node in new[] { A, B })
        {
            if (node is not null)
            {
                await node.DisposeAsync();
            }
        }
    }
}

using NUnit.Framework;

namespace RawChat.Tests.Support;

/// <summary>
/// A test class whose tests share one node with the default settings: it starts before the
/// class's first test and stops after its last.
/// </summary>
public abstract class NodeFixture
{
    protected ChatNode Node { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartNodeAsync() => Node = await ChatNode.StartAsync();

    [OneTimeTearDown]
    public async Task StopNodeAsync() => await Node.DisposeAsync();
}

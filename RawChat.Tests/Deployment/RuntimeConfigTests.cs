using System.Text.Json;
using NUnit.Framework;

namespace RawChat.Tests.Deployment;

/// <summary>
/// The node's runtime settings that the benchmarks depend on travel with the build, in
/// RawChat.Api.runtimeconfig.json, so every way of starting it (dotnet, the Docker image) gets them.
/// </summary>
public sealed class RuntimeConfigTests
{
    [Test]
    public void Idle_thread_pool_workers_do_not_spin_for_work()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "RawChat.Api.runtimeconfig.json");
        using var config = JsonDocument.Parse(File.ReadAllText(path));
        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.That(properties.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32(), Is.Zero);
        Assert.That(properties.GetProperty("System.GC.Server").GetBoolean(), Is.True);
    }
}

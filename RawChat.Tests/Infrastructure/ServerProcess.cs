using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// The running process of a test server, its output in the server's <see cref="ServerLog"/>.
/// <see cref="StopAsync"/> sends the server's stop signals in turn, each with its grace time,
/// then kills what still runs; with no stop signals it kills at once (SIGKILL).
/// </summary>
internal sealed class ServerProcess(string name, ServerLog log, params (int Signal, TimeSpan Grace)[] stopSignals)
{
    private const int StartAttempts = 3;

    private Process? _running;

    public bool IsRunning => _running is not null;

    /// <summary>
    /// Runs <paramref name="startAsync"/> (start, then wait until ready). When it fails because
    /// another process took the port between <see cref="FreePort"/> and the server binding it,
    /// stops the server, calls <paramref name="takeAnotherPort"/> and tries again.
    /// </summary>
    public async Task StartWithPortRetryAsync(Func<Task> startAsync, Action takeAnotherPort)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await startAsync();
                return;
            }
            catch (InvalidOperationException) when (log.SawAddressInUse && attempt < StartAttempts)
            {
                await StopAsync();
                takeAnotherPort();
            }
        }
    }

    /// <summary>
    /// Freezes the server (SIGSTOP), its child processes too, as a hung server looks: connections
    /// stay open and nothing answers. <see cref="Resume"/> thaws it.
    /// </summary>
    public void Freeze() => SignalTree(SigStop);

    public void Resume() => SignalTree(SigCont);

    /// <summary>Starts the server; its readiness probe calls <see cref="ThrowIfExited"/> between tries.</summary>
    public void Start(ProcessStartInfo info) => _running = log.Start(info);

    /// <summary>Throws, quoting the log, when the server has exited while starting.</summary>
    public void ThrowIfExited()
    {
        if (_running is { HasExited: true } exited)
        {
            throw new InvalidOperationException($"{name} exited with code {exited.ExitCode} while starting.\n{log.Tail()}");
        }
    }

    /// <summary>Sends the stop signals in turn until the server exits, then kills it if it still runs.</summary>
    public async Task StopAsync()
    {
        var stopping = _running;
        if (stopping is null)
        {
            return;
        }

        _running = null;
        foreach (var (signal, grace) in stopSignals)
        {
            if (stopping.HasExited)
            {
                break;
            }

            Signal(stopping.Id, signal);
            if (await ExitsWithinAsync(stopping, grace))
            {
                break;
            }
        }

        if (!stopping.HasExited)
        {
            stopping.Kill(entireProcessTree: true);
        }

        await stopping.WaitForExitAsync();
        stopping.Dispose();
    }

    private const int SigCont = 18;
    private const int SigStop = 19;

    private void SignalTree(int signal)
    {
        var root = _running?.Id ?? throw new InvalidOperationException($"{name} is not _running.");
        Signal(root, signal);
        foreach (var child in ChildrenOf(root))
        {
            Signal(child, signal);
        }
    }

    /// <summary>The processes whose parent is <paramref name="pid"/> (PostgreSQL's backends and workers).</summary>
    private static IEnumerable<int> ChildrenOf(int pid)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // it just exited
            }

            // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.TryParse(fields[1], out var parent) && parent == pid)
            {
                yield return candidate;
            }
        }
    }

    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static void Signal(int pid, int signal)
    {
        const int noSuchProcess = 3;
        if (Kill(pid, signal) != 0 && Marshal.GetLastPInvokeError() != noSuchProcess)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
}

using System.Diagnostics;

namespace RawChat.Tests.Infrastructure;

/// <summary>
/// A test server's log file and the programs that write to it: the server and its helpers
/// (initdb) are started here with their standard output and error appended to the file, which
/// outlives restarts. Failures quote its <see cref="Tail"/>.
/// </summary>
internal sealed class ServerLog(string path) : IDisposable
{
    private readonly StreamWriter _writer =
        new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };

    private readonly Lock _writerLock = new();
    private volatile bool _sawAddressInUse;

    public string Path { get; } = path;

    /// <summary>Whether the program started last said "Address already in use": it lost its port.</summary>
    public bool SawAddressInUse => _sawAddressInUse;

    /// <summary>Starts a program with its output going to the log.</summary>
    public Process Start(ProcessStartInfo info)
    {
        _sawAddressInUse = false;
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        WriteLine($"--- {DateTime.UtcNow:O} {info.FileName} {string.Join(' ', info.ArgumentList)}");
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => WriteLine(e.Data);
        process.ErrorDataReceived += (_, e) => WriteLine(e.Data);
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a helper (initdb, chown) to its end; it is killed after <paramref name="timeout"/>.</summary>
    public async Task RunToEndAsync(ProcessStartInfo info, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Start(info);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{info.FileName} exited with code {process.ExitCode}.\n{Tail()}");
        }
    }

    /// <summary>The last lines of the log, with its path, for an error message.</summary>
    public string Tail(int lines = 40)
    {
        using var stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return $"Last lines of {Path}:\n{string.Join('\n', all.TakeLast(lines))}";
    }

    public void Dispose()
    {
        lock (_writerLock)
        {
            _writer.Dispose();
        }
    }

    private void WriteLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("Address already in use", StringComparison.Ordinal))
        {
            _sawAddressInUse = true;
        }

        lock (_writerLock)
        {
            _writer.WriteLine(line);
        }
    }
}

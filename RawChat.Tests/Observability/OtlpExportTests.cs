using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using OpenTelemetry.Trace;
using RawChat.Core.Observability;
using RawChat.Tests.Infrastructure;
using RawChat.Tests.Support;

namespace RawChat.Tests.Observability;

/// <summary>OTLP trace export is opt-in: <c>Telemetry:OtlpEndpoint</c> set, a collector gets the spans; unset, nothing is built.</summary>
public sealed class OtlpExportTests
{
    [Test]
    public async Task With_an_endpoint_a_post_reaches_the_collector_as_OTLP_http_protobuf()
    {
        using var collector = new FakeCollector();
        await using var node = await ChatNode.StartAsync(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = collector.Address,
            ["Telemetry:OtlpProtocol"] = "http/protobuf",
        });
        var room = Rooms.Unique("otlp");
        await using var alice = await node.ConnectAsync(TestTokens.For("711", "alice"), path: $"/ws/chat/{room}");
        await alice.PostAndAckAsync(room, "exported", "o-1");

        // The exporter sends in batches, every few seconds.
        Assert.That(await Eventually.HoldsAsync(() => Task.FromResult(collector.Bodies.Any(b =>
            Contains(b, ChatActivities.Receive) && Contains(b, room))), TimeSpan.FromSeconds(60)), Is.True,
            "a POST to /v1/traces carried the post's receive span and its room");
        Assert.That(collector.Refused, Is.Empty, "only POSTs of protobuf to /v1/traces");
    }

    [Test]
    public async Task Without_an_endpoint_no_pipeline_exists_and_nothing_listens_to_the_spans()
    {
        await using var node = await ChatNode.StartAsync();
        using var probe = new ActivitySource(ChatActivities.SourceName);
        Assert.Multiple(() =>
        {
            Assert.That(node.Services.GetService<TracerProvider>(), Is.Null);
            Assert.That(probe.HasListeners(), Is.False, "so no activity is even created");
        });
    }

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>An OTLP/HTTP receiver that keeps what it is sent and answers an empty ExportTraceServiceResponse.</summary>
    private sealed class FakeCollector : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        public FakeCollector()
        {
            Address = $"http://127.0.0.1:{FreePort.Next()}/";
            _listener.Prefixes.Add(Address);
            _listener.Start();
            _serving = ServeAsync();
        }

        public string Address { get; }

        public ConcurrentQueue<byte[]> Bodies { get; } = new();

        public ConcurrentQueue<string> Refused { get; } = new();

        public void Dispose()
        {
            _listener.Close();
            _serving.Wait(TimeSpan.FromSeconds(10));
        }

        private async Task ServeAsync()
        {
            while (true)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return; // closed
                }

                var request = context.Request;
                using var body = new MemoryStream();
                await request.InputStream.CopyToAsync(body);
                if (request.HttpMethod == "POST" && request.Url?.AbsolutePath == "/v1/traces"
                    && request.ContentType == "application/x-protobuf" && body.Length > 0)
                {
                    Bodies.Enqueue(body.ToArray());
                    context.Response.ContentType = "application/x-protobuf";
                }
                else
                {
                    Refused.Enqueue($"{request.HttpMethod} {request.Url} {request.ContentType} ({body.Length} bytes)");
                    context.Response.StatusCode = 400;
                }

                context.Response.Close();
            }
        }
    }
}

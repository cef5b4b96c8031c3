using Microsoft.Extensions.Options;
using NUnit.Framework;
using RawChat.Api.Observability;
using RawChat.Tests.Support;

namespace RawChat.Tests.Observability;

public sealed class TelemetryOptionsTests
{
    [TestCase("http://collector:4318", "http/protobuf", "http://collector:4318/v1/traces")]
    [TestCase("http://collector:4318/otlp/", "http/protobuf", "http://collector:4318/otlp/v1/traces")]
    [TestCase("https://collector/v1/traces", "http/protobuf", "https://collector/v1/traces")]
    [TestCase("http://collector:4317", "grpc", "http://collector:4317/")]
    public void The_traces_address_gets_the_OTLP_HTTP_path_only_when_it_lacks_it(string endpoint, string protocol, string expected) =>
        Assert.That(new TelemetryOptions { OtlpEndpoint = endpoint, OtlpProtocol = protocol }.TracesEndpoint().ToString(),
            Is.EqualTo(expected));

    [TestCase("Telemetry:OtlpEndpoint", "collector:4318")]
    [TestCase("Telemetry:OtlpProtocol", "http/json")]
    public async Task A_node_with_an_unusable_telemetry_setting_does_not_build(string key, string value)
    {
        var settings = await ChatNode.DefaultSettingsAsync(new Dictionary<string, string?>
        {
            ["Telemetry:OtlpEndpoint"] = "http://127.0.0.1:4318",
            [key] = value,
        });
        var refused = Assert.Throws<OptionsValidationException>(() => ChatNode.Build(settings));
        Assert.That(refused!.Message, Does.Contain(key));
    }
}

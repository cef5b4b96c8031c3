using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RawChat.Core.Observability;

namespace RawChat.Api.Observability;

internal static class TracingExtensions
{
    /// <summary>
    /// OTLP export of the <c>RawChat</c> activities when <c>Telemetry:OtlpEndpoint</c> is set; otherwise
    /// nothing listens to them and each one costs a check. ASP.NET Core's request spans are left out:
    /// a WebSocket request lasts as long as its connection, and its address carries the token.
    /// </summary>
    public static WebApplicationBuilder AddChatTracing(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName);
        // Read now, not through IOptions: whether a pipeline exists at all is decided while building.
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new();
        if (telemetry.Problem() is { } problem)
        {
            throw new OptionsValidationException(TelemetryOptions.SectionName, typeof(TelemetryOptions), [problem]);
        }

        if (telemetry.OtlpEndpoint.Length == 0)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(telemetry.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(ChatActivities.SourceName)
                .AddOtlpExporter(otlp =>
                {
                    otlp.Endpoint = telemetry.TracesEndpoint();
                    otlp.Protocol = telemetry.OtlpProtocol == TelemetryOptions.Grpc
                        ? OtlpExportProtocol.Grpc
                        : OtlpExportProtocol.HttpProtobuf;
                }));
        return builder;
    }
}

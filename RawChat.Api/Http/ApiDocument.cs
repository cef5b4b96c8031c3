using System.Globalization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RawChat.Api.Http;

/// <summary>
/// The OpenAPI document of the HTTP API, served at <c>/openapi/v1.json</c>: the endpoints describe
/// themselves (<c>Produces</c>, summaries); this adds the title and the Bearer scheme.
/// </summary>
internal static class ApiDocument
{
    public const string Path = "/openapi/{documentName}.json";
    public const string BearerScheme = "Bearer";

    public static WebApplicationBuilder AddApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "RawChat HTTP API",
                Version = "v1",
                Description = "The HTTP half of the RawChat wire contract (docs/protocol.md). The chat itself is a WebSocket at /ws/chat.",
            };
            // Behind nginx or TLS a node does not know the address clients use: with no servers, a
            // client resolves the paths against the document's own URL.
            document.Servers = [];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT access token as for the socket; publishing needs a service token.",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Marks every operation of the group as needing the Bearer token.</summary>
    public static TBuilder RequiresBearerInDocument<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            return Task.CompletedTask;
        });

    /// <summary>Documents a parameter the handler reads itself (so as to refuse it in the protocol's order).</summary>
    public static RouteHandlerBuilder Documents(this RouteHandlerBuilder endpoint, ParameterLocation location, string name,
        JsonSchemaType type, string description) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = location,
                Description = description,
                Schema = new OpenApiSchema { Type = type },
            });
            return Task.CompletedTask;
        });

    /// <summary>A refusal the endpoint may answer, with the <see cref="RefusalBody"/> and the codes it carries.</summary>
    public static TBuilder Refuses<TBuilder>(this TBuilder builder, int status, string codes)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(RefusalBody), ["application/json"]))
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                if (operation.Responses?.TryGetValue(status.ToString(CultureInfo.InvariantCulture), out var response) == true
                    && response is OpenApiResponse described)
                {
                    described.Description = codes;
                }

                return Task.CompletedTask;
            });
}

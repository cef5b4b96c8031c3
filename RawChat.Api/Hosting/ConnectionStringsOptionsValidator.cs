using Microsoft.Extensions.Options;

namespace RawChat.Api.Hosting;

/// <summary>The <c>[Required]</c> attributes of <see cref="ConnectionStringsOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class ConnectionStringsOptionsValidator : IValidateOptions<ConnectionStringsOptions>;

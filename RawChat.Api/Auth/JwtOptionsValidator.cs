using Microsoft.Extensions.Options;
using RawChat.Core.Auth;

namespace RawChat.Api.Auth;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="JwtOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class JwtOptionsValidator : IValidateOptions<JwtOptions>;

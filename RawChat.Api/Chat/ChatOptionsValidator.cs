using Microsoft.Extensions.Options;
using RawChat.Core.Chat;

namespace RawChat.Api.Chat;

/// <summary>The <c>[Range]</c>/<c>[Required]</c> attributes and cross-field rules of <see cref="ChatOptions"/>, generated.</summary>
[OptionsValidator]
internal sealed partial class ChatOptionsValidator : IValidateOptions<ChatOptions>;

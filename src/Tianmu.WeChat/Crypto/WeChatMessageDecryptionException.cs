namespace Tianmu.WeChat.Crypto;

/// <summary>
/// The single failure of <see cref="WeChatMessageCrypto.Decrypt"/>. Its message is the same for every cause (base64,
/// ciphertext length, key, padding, length field, app id, UTF-8) so that no caller can build a padding oracle, and it
/// never carries key material or plaintext. The app answers it 401 <c>invalid_signature</c> (contract, "GET and POST
/// /api/wechat/push/{app_id}").
/// </summary>
public sealed class WeChatMessageDecryptionException : Exception
{
    /// <summary>The message of every instance.</summary>
    public const string StandardMessage = "The pushed message could not be decrypted for this app.";

    public WeChatMessageDecryptionException()
        : base(StandardMessage)
    {
    }

    /// <summary>Same as the parameterless constructor: <paramref name="message"/> is ignored.</summary>
    public WeChatMessageDecryptionException(string message)
        : base(StandardMessage)
    {
        _ = message;
    }

    /// <summary>Same as the parameterless constructor: neither argument is kept.</summary>
    public WeChatMessageDecryptionException(string message, Exception innerException)
        : base(StandardMessage)
    {
        _ = message;
        _ = innerException;
    }
}

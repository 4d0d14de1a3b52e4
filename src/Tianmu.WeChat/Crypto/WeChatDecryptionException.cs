namespace Tianmu.WeChat.Crypto;

/// <summary>
/// The single failure of <see cref="WeChatDataCrypto"/>. Its message is the same for every cause
/// (base64, length, padding, JSON, missing field, watermark) so that no caller can build a padding oracle,
/// and it never carries key material or plaintext.
/// </summary>
public sealed class WeChatDecryptionException : Exception
{
    public const string StandardMessage = "The encrypted data could not be decrypted for this session and app.";

    public WeChatDecryptionException()
        : base(StandardMessage)
    {
    }

    public WeChatDecryptionException(string message)
        : base(StandardMessage)
    {
        _ = message;
    }

    public WeChatDecryptionException(string message, Exception innerException)
        : base(StandardMessage)
    {
        _ = message;
        _ = innerException;
    }
}

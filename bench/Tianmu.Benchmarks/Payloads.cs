using System.Text;
using Tianmu.WeChat.Crypto;

namespace Tianmu.Benchmarks;

/// <summary>
/// A typical user-info payload as the user-info button hands it over: Chinese nickname and region, a WeChat avatar
/// URL, a union id and the watermark (363 bytes of plaintext, 368 bytes of ciphertext), sealed with a fixed
/// session key so that every run measures the same bytes.
/// </summary>
internal static class Payloads
{
    public const string AppId = "wx4f4bc4dec97d474b";
    public const string OpenId = "oGZUI0egBJY1zhBYw2KhdUfwVJJE";
    public const string SessionKey = "YRs2RSWYN1xR9jx7bcr55Q==";
    public const string Iv = "npKmtHfMRN2de5lDuELbkA==";

    public const string Plaintext =
        """{"openId":"oGZUI0egBJY1zhBYw2KhdUfwVJJE","nickName":"小明同学🎮","gender":1,"language":"zh_CN","city":"广州","province":"广东","country":"中国","avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132","unionId":"ocMvos6NjeKLIBqg5Mr9QjxrP1FA","watermark":{"timestamp":1712345678,"appid":"wx4f4bc4dec97d474b"}}""";

    /// <summary>The rawData WeChat sends beside the ciphertext: the public fields, Chinese unescaped.</summary>
    public const string RawData =
        """{"nickName":"小明同学🎮","gender":1,"language":"zh_CN","city":"广州","province":"广东","country":"中国","avatarUrl":"https://thirdwx.qlogo.cn/mmopen/vi_32/Q0j4TwGTfTKXg6ibHkFicGmYxb8tB2pRSfQxVhy2ibF/132"}""";

    public static readonly string EncryptedData = WeChatDataCrypto.Encrypt(Encoding.UTF8.GetBytes(Plaintext), SessionKey, Iv);

    public static readonly string Signature = WeChatDataCrypto.ComputeSignature(RawData, SessionKey);
}

namespace Tianmu.WeChat.Crypto;

/// <summary>The <c>watermark</c> WeChat seals into every encrypted payload.</summary>
public sealed record WeChatWatermark(string AppId, long Timestamp);

/// <summary>User info from the user-info button (<c>wx.getUserInfo</c>, <c>createUserInfoButton</c>).</summary>
public sealed record WeChatUserInfo(
    string OpenId,
    string NickName,
    int Gender,
    string Language,
    string City,
    string Province,
    string Country,
    string AvatarUrl,
    string UnionId,
    WeChatWatermark Watermark);

/// <summary>The legacy phone-number payload (<c>getPhoneNumber</c> before code-based exchange).</summary>
public sealed record WeChatPhoneNumber(string PhoneNumber, string PurePhoneNumber, string CountryCode, WeChatWatermark Watermark);

/// <summary>Share info (<c>wx.getShareInfo</c>).</summary>
public sealed record WeChatShareInfo(string OpenGId, WeChatWatermark Watermark);

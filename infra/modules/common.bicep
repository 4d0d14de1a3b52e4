// Names and types shared by more than one module, so a Key Vault secret and the app setting that points at it cannot drift apart.

@export()
@description('Resource tags: names to string values.')
type resourceTags = {
  *: string
}

@export()
@description('Name of the Key Vault secret holding the token signing key.')
var jwtSigningKeySecretName = 'jwt-signing-key'

@export()
@description('Name of the Key Vault secret holding the WeChat AppSecret of one app. Key Vault allows letters, digits and hyphens, so `_` becomes `-`; two app ids that differ only there (or only in case) would collide, and the deployment then fails on the duplicate rather than mixing them up.')
func weChatSecretName(appId string) string => 'wechat-secret-${replace(appId, '_', '-')}'

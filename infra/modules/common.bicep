// Names and types shared by more than one module, so a Key Vault secret and the app setting that points at it cannot drift apart.

@export()
@description('Resource tags: names to string values.')
type resourceTags = {
  *: string
}

@export()
@secure()
@description('Server keys of the apps\' server routes, keyed by app id: at least 32 characters each (`openssl rand -base64 48`).')
type serverKeysByApp = {
  @minLength(32)
  *: string
}

@export()
@secure()
@description('WeChat message push tokens (消息推送 Token), keyed by app id: 3-32 characters each.')
type pushTokensByApp = {
  @minLength(3)
  @maxLength(32)
  *: string
}

@export()
@secure()
@description('WeChat message push EncodingAESKeys (safe mode), keyed by app id: exactly 43 characters each.')
type pushAesKeysByApp = {
  @minLength(43)
  @maxLength(43)
  *: string
}

@export()
@description('Name of the Key Vault secret holding the current token signing key (PEM PKCS#8 P-256 private key).')
var jwtPrivateKeySecretName = 'jwt-private-key'

@export()
@description('Name of the Key Vault secret holding the PEM bundle of retired public keys whose tokens are still accepted.')
var jwtPreviousPublicKeysSecretName = 'jwt-previous-public-keys'

// Key Vault allows letters, digits and hyphens, so `_` becomes `-`; two app ids that differ only there (or only in case)
// would collide, and the deployment then fails on the duplicate rather than mixing them up.
func appSecretName(kind string, appId string) string => '${kind}-${replace(appId, '_', '-')}'

@export()
@description('Name of the Key Vault secret holding the WeChat AppSecret of one app.')
func weChatSecretName(appId string) string => appSecretName('wechat-secret', appId)

@export()
@description('Name of the Key Vault secret holding the server key of one app.')
func serverKeySecretName(appId string) string => appSecretName('server-key', appId)

@export()
@description('Name of the Key Vault secret holding the WeChat message push token of one app.')
func pushTokenSecretName(appId string) string => appSecretName('push-token', appId)

@export()
@description('Name of the Key Vault secret holding the WeChat message push EncodingAESKey of one app.')
func pushAesKeySecretName(appId string) string => appSecretName('push-aes-key', appId)

// Example parameters. Secrets are read from environment variables when the file is compiled
// (az deployment group create ... -p infra/main.bicepparam), so they never land in this file or in shell history.
// See docs/DEPLOY.md for how to make each one.
//   TIANMU_JWT_PRIVATE_KEY           required  PEM PKCS#8 P-256 private key:  export TIANMU_JWT_PRIVATE_KEY="$(cat tianmu-jwt.pem)"
//   TIANMU_APP_SECRETS               required  {"wx0123456789abcdef":"<AppSecret>"}:  read -rs TIANMU_APP_SECRETS && export TIANMU_APP_SECRETS
//   TIANMU_JWT_PREVIOUS_PUBLIC_KEYS  optional  PEM bundle of retired public keys (default: none)
//   TIANMU_APP_SERVER_KEYS           optional  {"wx0123456789abcdef":"<at least 32 characters>"} (default {}: no server routes)
//   TIANMU_APP_PUSH_TOKENS           optional  {"wx0123456789abcdef":"<3-32 characters>"} (default {}: no push route)
//   TIANMU_APP_PUSH_AES_KEYS         optional  {"wx0123456789abcdef":"<43-character EncodingAESKey>"} (default {}: plain mode)
using 'main.bicep'

param namePrefix = 'tianmu'

param appIds = [
  'wx0123456789abcdef'
]

param appSecrets = json(readEnvironmentVariable('TIANMU_APP_SECRETS'))

param jwtPrivateKey = readEnvironmentVariable('TIANMU_JWT_PRIVATE_KEY')

param jwtPreviousPublicKeys = readEnvironmentVariable('TIANMU_JWT_PREVIOUS_PUBLIC_KEYS', '')

param appServerKeys = json(readEnvironmentVariable('TIANMU_APP_SERVER_KEYS', '{}'))

param appPushTokens = json(readEnvironmentVariable('TIANMU_APP_PUSH_TOKENS', '{}'))

param appPushAesKeys = json(readEnvironmentVariable('TIANMU_APP_PUSH_AES_KEYS', '{}'))

param tags = {
  app: 'tianmu'
}

// Example parameters. Secrets are read from environment variables when the file is compiled
// (az deployment group create ... -p infra/main.bicepparam), so they never land in this file or in shell history:
//   read -rs TIANMU_JWT_SIGNING_KEY  && export TIANMU_JWT_SIGNING_KEY
//   read -rs TIANMU_APP_SECRETS      && export TIANMU_APP_SECRETS     # {"wx0123456789abcdef":"<AppSecret>"}
using 'main.bicep'

param namePrefix = 'tianmu'

param appIds = [
  'wx0123456789abcdef'
]

param appSecrets = json(readEnvironmentVariable('TIANMU_APP_SECRETS'))

param jwtSigningKey = readEnvironmentVariable('TIANMU_JWT_SIGNING_KEY')

param tags = {
  app: 'tianmu'
}

metadata description = 'App settings of the function app. Secrets are Key Vault references resolved by the app\'s identity; this module never sees a secret value. main.bicep deploys it after the role assignments, so the references resolve on the restart the settings trigger.'

import {
  jwtPreviousPublicKeysSecretName
  jwtPrivateKeySecretName
  pushAesKeySecretName
  pushTokenSecretName
  serverKeySecretName
  weChatSecretName
} from 'common.bicep'

@description('Name of the function app.')
param functionAppName string

@description('Name of the storage account used as host storage (identity-based).')
param storageAccountName string

@description('Table service endpoint of the storage account.')
param tableEndpoint string

@description('Name of the profiles table.')
param tableName string

@description('Blob endpoint of the avatar storage account (Tianmu__Storage__BlobServiceUri).')
param blobEndpoint string

@description('Name of the avatars container (Tianmu__Avatars__ContainerName).')
param avatarContainerName string

@description('HTTPS base URL of the avatar images (Tianmu__Avatars__PublicBaseUrl).')
param avatarPublicBaseUrl string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('URI of the Key Vault holding the secrets (ends with a slash).')
param keyVaultUri string

@description('WeChat app ids served by this deployment.')
@minLength(1)
param appIds string[]

@description('Issuer written into and required from tokens.')
param jwtIssuer string

@description('Which X-Forwarded-For entry from the right is the client (Tianmu__Http__ForwardedHops): 1 behind the Functions front end alone, 2 behind Front Door.')
@minValue(1)
param forwardedHops int

@description('WeChat server API base URL; https only.')
param weChatApiBaseUrl string

@description('Whether the vault holds retired public keys (jwt-previous-public-keys).')
param hasPreviousPublicKeys bool

@description('App ids whose server key the vault holds.')
param serverKeyAppIds string[]

@description('App ids whose message push token the vault holds.')
param pushTokenAppIds string[]

@description('App ids whose message push EncodingAESKey the vault holds.')
param pushAesKeyAppIds string[]

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Versionless secret URIs: the app picks up a rotated secret on restart (or within 24 hours).
var hostSettings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  // The Functions default home page answers anonymous requests with a page of its own; nothing needs it.
  AzureWebJobsDisableHomepage: 'true'
}

func secretReference(keyVaultUri string, secretName string) string =>
  '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretName})'

var tianmuSettings = {
  Tianmu__Jwt__PrivateKey: secretReference(keyVaultUri, jwtPrivateKeySecretName)
  Tianmu__Jwt__Issuer: jwtIssuer
  Tianmu__Storage__TableServiceUri: tableEndpoint
  Tianmu__Storage__TableName: tableName
  Tianmu__Storage__BlobServiceUri: blobEndpoint
  Tianmu__Avatars__ContainerName: avatarContainerName
  Tianmu__Avatars__PublicBaseUrl: avatarPublicBaseUrl
  Tianmu__Http__TrustForwardedFor: 'true'
  Tianmu__Http__ForwardedHops: string(forwardedHops)
  Tianmu__WeChat__ApiBaseUrl: startsWith(weChatApiBaseUrl, 'https://')
    ? weChatApiBaseUrl
    : fail('weChatApiBaseUrl must start with https:// (the app refuses anything else outside Development).')
}

var previousPublicKeysSettings = hasPreviousPublicKeys
  ? { Tianmu__Jwt__PreviousPublicKeys: secretReference(keyVaultUri, jwtPreviousPublicKeysSecretName) }
  : {}

// Apps without a server key, push token or EncodingAESKey get no setting: the app then serves no server routes or push route for them.
var appSecretSettings = union(
  toObject(appIds, appId => 'Tianmu__Apps__${appId}__Secret', appId => secretReference(keyVaultUri, weChatSecretName(appId))),
  toObject(
    serverKeyAppIds,
    appId => 'Tianmu__Apps__${appId}__ServerKey',
    appId => secretReference(keyVaultUri, serverKeySecretName(appId))
  ),
  toObject(
    pushTokenAppIds,
    appId => 'Tianmu__Apps__${appId}__PushToken',
    appId => secretReference(keyVaultUri, pushTokenSecretName(appId))
  ),
  toObject(
    pushAesKeyAppIds,
    appId => 'Tianmu__Apps__${appId}__PushAesKey',
    appId => secretReference(keyVaultUri, pushAesKeySecretName(appId))
  )
)

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: union(
    hostSettings,
    tianmuSettings,
    previousPublicKeysSettings,
    appSecretSettings,
    {
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      // Local authentication is off on the component: ingest with the app's system-assigned identity.
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
    }
  )
}
